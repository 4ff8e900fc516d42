/* test_server_roles.c — route roles as bits (src/server/routes.c): the
 * names the store holds map to one bit each and nothing else maps to any;
 * a route allows exactly its bits, "any" every known role but not an
 * unknown one, "public" everyone; every route of the table carries either
 * "public", "any" or a non-empty set of named roles, and no other bit. The
 * walk of every route over HTTP with each role is test_server_api. */
#include "vg_test.h"

#include "server/server_internal.h"

static void names_to_bits(void **state)
{
    (void)state;
    assert_int_equal(vg_route_role_of("operator"), VG_ROLE_OPERATOR);
    assert_int_equal(vg_route_role_of("auditor"), VG_ROLE_AUDITOR);
    assert_int_equal(vg_route_role_of("admin"), VG_ROLE_ADMIN);
    static const char *const unknown[] = {"", "Operator", "admin ", "operators", "any", "public", "root"};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
        assert_int_equal(vg_route_role_of(unknown[i]), 0);
    assert_int_equal(vg_route_role_of(NULL), 0);
    assert_string_equal(vg_route_role_name(VG_ROLE_OPERATOR), "operator");
    assert_string_equal(vg_route_role_name(VG_ROLE_AUDITOR), "auditor");
    assert_string_equal(vg_route_role_name(VG_ROLE_ADMIN), "admin");
    assert_string_equal(vg_route_role_name(VG_ROLE_PUBLIC), "public");
    assert_string_equal(vg_route_role_name(VG_ROLE_ANY), "any");
    assert_null(vg_route_role_name(VG_ROLE_OPERATOR | VG_ROLE_ADMIN));
}

static void bits_allow(void **state)
{
    (void)state;
    const unsigned oa = VG_ROLE_OPERATOR | VG_ROLE_AUDITOR;
    assert_true(vg_route_allows(oa, VG_ROLE_OPERATOR));
    assert_true(vg_route_allows(oa, VG_ROLE_AUDITOR));
    assert_false(vg_route_allows(oa, VG_ROLE_ADMIN));
    assert_false(vg_route_allows(VG_ROLE_ADMIN, VG_ROLE_OPERATOR));
    /* a caller has one role: two bits at once, or none, is nobody */
    assert_false(vg_route_allows(oa, (vg_role)(VG_ROLE_OPERATOR | VG_ROLE_AUDITOR)));
    assert_false(vg_route_allows(oa, (vg_role)0));
    /* any session with a known role; an unknown role is refused */
    assert_true(vg_route_allows(VG_ROLE_ANY, VG_ROLE_ADMIN));
    assert_true(vg_route_allows(VG_ROLE_ANY, VG_ROLE_AUDITOR));
    assert_false(vg_route_allows(VG_ROLE_ANY, vg_route_role_of("superuser")));
    /* public: no session needed */
    assert_true(vg_route_allows(VG_ROLE_PUBLIC, (vg_role)0));
}

static void table_well_formed(void **state)
{
    (void)state;
    assert_true(vg_n_routes >= 22);
    int publics = 0, anys = 0;
    for (int i = 0; i < vg_n_routes; i++) {
        unsigned r = vg_routes[i].roles;
        if (r == VG_ROLE_PUBLIC)
            publics++;
        else if (r == VG_ROLE_ANY)
            anys++;
        else if (!r || (r & ~(unsigned)VG_ROLES_NAMED))
            fail_msg("%s %s: roles 0x%x are neither public, any nor named roles", vg_routes[i].method,
                     vg_routes[i].path, r);
    }
    assert_int_equal(publics, 3); /* healthz, openapi.json, login */
    assert_int_equal(anys, 2);    /* logout, me */
    int64_t id = 0;
    const vg_route *m = vg_route_find("GET", "/metrics", &id);
    assert_non_null(m);
    assert_int_equal(m->roles, VG_ROLE_ADMIN | VG_ROLE_AUDITOR);
    m = vg_route_find("POST", "/api/v1/alerts/7/adjudicate", &id);
    assert_non_null(m);
    assert_int_equal(m->roles, VG_ROLE_OPERATOR);
    assert_int_equal(id, 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names_to_bits),
        cmocka_unit_test(bits_allow),
        cmocka_unit_test(table_well_formed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
