/* validate.c — field checks shared by the store's public functions.
 *
 * Lengths count bytes, as the header's limits do. Dates of birth are plain
 * calendar dates compared with the store's clock in UTC; a person is under
 * 18 until the day of their 18th birthday (29 February birthdays turn over
 * on 1 March in common years).
 */
#include "store/validate.h"
#include "base/utf8.h"

#include <string.h>
#include <time.h>

vg_status vg_check_text(const char *field, const char *v, size_t max, int required,
                        vg_err *err)
{
    if (!v || !*v) {
        if (required)
            return vg_err_set(err, VG_ERR_INVALID, "%s is required", field);
        return VG_OK;
    }
    size_t n = strnlen(v, max + 1);
    if (n > max)
        return vg_err_set(err, VG_ERR_INVALID, "%s is %zu bytes, the limit is %zu", field,
                          strlen(v), max);
    /* every text the store keeps must serialise to JSON later (issue 14):
     * invalid UTF-8 is refused here, at the one check all inputs pass */
    return vg_check_utf8(field, v, 0, err);
}

vg_status vg_check_field(const char *field, const char *v, size_t cap, size_t max, int required,
                         vg_err *err)
{
    if (memchr(v, '\0', cap) == NULL)
        return vg_err_set(err, VG_ERR_INVALID,
                          "%s is not terminated within its %zu bytes, the limit is %zu", field,
                          cap, max);
    return vg_check_text(field, v, max, required, err);
}

vg_status vg_check_utf8(const char *field, const char *v, int single_line, vg_err *err)
{
    const unsigned char *p = (const unsigned char *)(v ? v : "");
    size_t n = strlen((const char *)p);
    for (size_t i = 0; i < n;) {
        unsigned cp;
        size_t k = vg_utf8_next(p + i, n - i, &cp);
        if (k == 0)
            return vg_err_set(err, VG_ERR_INVALID, "%s is not valid UTF-8 (byte %zu)", field, i);
        if (single_line && (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)))
            return vg_err_set(err, VG_ERR_INVALID,
                              cp < 0x80 ? "%s holds a control character (0x%02x) at byte %zu"
                                        : "%s holds a control character (U+%04X) at byte %zu",
                              field, cp, i);
        i += k;
    }
    return VG_OK;
}

vg_status vg_check_account_name(const char *field, const char *v, vg_err *err)
{
    vg_status st = vg_check_text(field, v, 64, 1, err);
    if (st != VG_OK)
        return st;
    for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
        if (*p <= 0x20 || *p >= 0x7f)
            return vg_err_set(err, VG_ERR_INVALID,
                              "%s may hold only visible ASCII characters, no space or accented "
                              "or foreign letter (byte %zu): names that look alike must not "
                              "be told apart by invisible or look-alike characters",
                              field, (size_t)(p - (const unsigned char *)v));
        if (*p == ':')
            return vg_err_set(err, VG_ERR_INVALID,
                              "%s may not hold ':' (\"token:NAME\" is how the audit chain names "
                              "an API token)", field);
    }
    return VG_OK;
}

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : d[m - 1];
}

/* Parses "YYYY-MM-DD"; 0 when malformed or not a real date. */
static int parse_date(const char *s, int *y, int *m, int *d)
{
    if (strnlen(s, 11) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return 0;
    *y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    *m = (s[5] - '0') * 10 + (s[6] - '0');
    *d = (s[8] - '0') * 10 + (s[9] - '0');
    return *y >= 1 && *m >= 1 && *m <= 12 && *d >= 1 && *d <= days_in_month(*y, *m);
}

static void today(int64_t now, int *y, int *m, int *d)
{
    time_t t = (time_t)now;
    struct tm tm;
    if (!gmtime_r(&t, &tm)) { /* out of range: treat as the far future */
        *y = 9999, *m = 12, *d = 31;
        return;
    }
    *y = tm.tm_year + 1900;
    *m = tm.tm_mon + 1;
    *d = tm.tm_mday;
}

vg_status vg_check_dob(const char *dob, int64_t now, vg_err *err)
{
    int y, m, d;
    if (!parse_date(dob, &y, &m, &d))
        return vg_err_set(err, VG_ERR_INVALID,
                          "dob \"%.20s\" is not a date in the form YYYY-MM-DD", dob);
    int ty, tm, td;
    today(now, &ty, &tm, &td);
    if (y > ty || (y == ty && (m > tm || (m == tm && d > td))))
        return vg_err_set(err, VG_ERR_INVALID, "dob %s is in the future", dob);
    return VG_OK;
}

int vg_age_years(const char *dob, int64_t now)
{
    int y, m, d, ty, tm, td;
    if (!parse_date(dob, &y, &m, &d))
        return -1;
    today(now, &ty, &tm, &td);
    int age = ty - y;
    if (tm < m || (tm == m && td < d))
        age--;
    return age;
}

vg_status vg_check_action(const char *action, vg_err *err)
{
    vg_status st = vg_check_text("action", action, 63, 1, err);
    if (st != VG_OK)
        return st;
    if (action[0] < 'a' || action[0] > 'z')
        return vg_err_set(err, VG_ERR_INVALID,
                          "action \"%s\" must start with a lowercase letter", action);
    for (const char *p = action; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' ||
              *p == '-'))
            return vg_err_set(err, VG_ERR_INVALID,
                              "action \"%s\" may hold only a-z, 0-9, '.', '_' and '-'", action);
    return VG_OK;
}
