/* test_video_url.c — vg_url_redact on many URL shapes (credentials in the
 * authority, secret-named parameters in query, fragment and path, IPv6
 * hosts, '@' in paths, URLs without a scheme, malformed ones), truncation,
 * and the kind of source each URL names. */
#include "vg_test.h"
#include "vigil/video.h"
#include "video/url.h"

static void expect(const char *url, const char *want)
{
    char buf[512];
    const char *got = vg_url_redact(url, buf, sizeof buf);
    assert_ptr_equal(got, buf);
    if (strcmp(got, want) != 0)
        fail_msg("redact(%s) = %s, want %s", url ? url : "(null)", got, want);
}

static void test_credentials(void **state)
{
    (void)state;
    expect("rtsp://admin:hunter2@192.168.1.10:554/Streaming/Channels/101",
           "rtsp://***@192.168.1.10:554/Streaming/Channels/101");
    expect("rtsp://admin@cam/live", "rtsp://***@cam/live");                 /* user only */
    expect("rtsp://admin:@cam/live", "rtsp://***@cam/live");                /* empty password */
    expect("rtsp://:pw@cam/live", "rtsp://***@cam/live");                   /* empty user */
    expect("http://user:p%40ss@cam:8080/video.mjpg", "http://***@cam:8080/video.mjpg");
    expect("rtsp://admin:p@ss@cam/live", "rtsp://***@cam/live");            /* raw @ in password */
    expect("rtsp://admin:pa/ss@cam/live", "rtsp://***@cam/live");           /* raw / in password */
    expect("rtsp://admin:pa?ss@cam/live", "rtsp://***@cam/live");           /* raw ? in password */
    expect("RTSP://Admin:Secret@CAM/", "RTSP://***@CAM/");
    expect("rtmps://u:k@live.example.com/app/key", "rtmps://***@live.example.com/app/key");
    expect("https://user:pw@[2001:db8::1]:8443/s.m3u8", "https://***@[2001:db8::1]:8443/s.m3u8");
    expect("rtsp://[::1]:554/live", "rtsp://[::1]:554/live");
    expect("rtsp://u:p@[::1]/live", "rtsp://***@[::1]/live");
}

static void test_query_and_path(void **state)
{
    (void)state;
    expect("http://cam/x?token=abc&size=2", "http://cam/x?token=***&size=2");
    expect("http://user:secret@127.0.0.1:1/x?token=abc&size=2",
           "http://***@127.0.0.1:1/x?token=***&size=2");
    expect("https://h/s.m3u8?X-Amz-Signature=deadbeef&X-Amz-Credential=AKIA&X-Amz-Date=1",
           "https://h/s.m3u8?X-Amz-Signature=***&X-Amz-Credential=***&X-Amz-Date=1");
    expect("http://h/a?password=1&passwd=2&pwd=3&api_key=4&secret=5&auth=6&sig=7&sid=8",
           "http://h/a?password=***&passwd=***&pwd=***&api_key=***&secret=***&auth=***&sig=***"
           "&sid=8");
    expect("http://h/a?PASSWORD=x;Access_Token=y", "http://h/a?PASSWORD=***;Access_Token=***");
    expect("http://h/a?p%61ssword=x", "http://h/a?p%61ssword=***"); /* percent-encoded name */
    expect("http://h/a?token", "http://h/a?token");                 /* no value to hide */
    expect("http://h/a?token=", "http://h/a?token=***");
    expect("http://h/a?x=1#access_token=abc", "http://h/a?x=1#access_token=***");
    expect("http://h/a?x=token", "http://h/a?x=token");             /* a value, not a name */
    /* DVRs that put the login in the path */
    expect("rtsp://10.0.0.2:554/user=admin&password=12345&channel=1&stream=0.sdp",
           "rtsp://10.0.0.2:554/user=***&password=***&channel=1&stream=0.sdp");
    expect("rtsp://cam/live?sessionid=77", "rtsp://cam/live?sessionid=***");
}

static void test_at_in_path_and_no_scheme(void **state)
{
    (void)state;
    expect("http://host/users/@me/feed", "http://host/users/@me/feed");
    expect("http://host:8080/a/@b", "http://host:8080/a/@b");
    expect("http://host/a?x=@y", "http://host/a?x=@y");
    expect("/videos/clip@2x.mp4", "/videos/clip@2x.mp4");
    expect("clip.mp4", "clip.mp4");
    expect("/dev/video0", "/dev/video0");
    expect("v4l2:///dev/video0", "v4l2:///dev/video0");
    expect("file:///tmp/a b.mp4", "file:///tmp/a b.mp4");
    expect("admin:secret@cam/live", "***@cam/live");      /* a URL missing its scheme */
    expect("me@host/clip.mp4", "me@host/clip.mp4");        /* no password: a path */
    expect("***@cam/live", "***@cam/live");                /* redacting is idempotent */
    expect("rtsp://***@cam/x?token=***", "rtsp://***@cam/x?token=***");
    expect("rtsp://u:p@key=5/x", "rtsp://***@key=5/x");    /* the host is copied as it is */
    expect("", "");
    expect(NULL, "");
    expect("rtsp://", "rtsp://");
    expect("rtsp://@", "rtsp://***@");
    expect("http://h?token=a&token=b&", "http://h?token=***&token=***&");
}

/* A buffer too small holds a prefix of the redacted URL, never a secret. */
static void test_truncation(void **state)
{
    (void)state;
    const char *url = "rtsp://admin:hunter2@cam/x?token=abcdef";
    char full[128];
    vg_url_redact(url, full, sizeof full);
    for (size_t len = 1; len < sizeof full; len++) {
        char buf[128];
        memset(buf, 'Z', sizeof buf);
        vg_url_redact(url, buf, len);
        assert_true(strlen(buf) < len);
        assert_int_equal(strncmp(buf, full, strlen(buf)), 0);
        assert_null(strstr(buf, "hunter2"));
        assert_null(strstr(buf, "abc"));
    }
    assert_string_equal(vg_url_redact(url, NULL, 10), "");
    char one[1] = {'x'};
    assert_string_equal(vg_url_redact(url, one, 0), "");
    assert_int_equal(one[0], 'x');
}

static void test_classify(void **state)
{
    (void)state;
    vg_url_info i;
    vg_err err;
    assert_int_equal(vg_url_classify("/tmp/a.mp4", &i, &err), VG_OK);
    assert_int_equal(i.kind, VG_URL_FILE);
    assert_string_equal(i.path, "/tmp/a.mp4");
    assert_int_equal(vg_url_classify("relative.mp4", &i, &err), VG_OK);
    assert_int_equal(i.kind, VG_URL_FILE);
    assert_int_equal(vg_url_classify("file:///tmp/a.mp4", &i, &err), VG_OK);
    assert_int_equal(i.kind, VG_URL_FILE);
    assert_string_equal(i.path, "/tmp/a.mp4");
    assert_int_equal(vg_url_classify("/dev/video2", &i, &err), VG_OK);
    assert_int_equal(i.kind, VG_URL_V4L2);
    assert_int_equal(vg_url_classify("v4l2:///dev/video0", &i, &err), VG_OK);
    assert_int_equal(i.kind, VG_URL_V4L2);
    assert_string_equal(i.path, "/dev/video0");
    const char *net[] = {"rtsp://a/b", "RTSPS://a/b", "http://a/b", "https://a/b.m3u8",
                         "rtmp://a/app", "rtmps://a/app", "udp://127.0.0.1:5000",
                         "srt://a:9000", "tcp://a:1"};
    for (size_t k = 0; k < sizeof net / sizeof net[0]; k++) {
        assert_int_equal(vg_url_classify(net[k], &i, &err), VG_OK);
        assert_int_equal(i.kind, VG_URL_NETWORK);
    }
    assert_int_equal(vg_url_classify("rtsp://a", &i, &err), VG_OK);
    assert_int_equal(i.scheme, VG_SCHEME_RTSP);
    assert_int_equal(vg_url_classify("https://a", &i, &err), VG_OK);
    assert_int_equal(i.scheme, VG_SCHEME_HTTP);
    assert_int_equal(vg_url_classify("rtmp://a", &i, &err), VG_OK);
    assert_int_equal(i.scheme, VG_SCHEME_RTMP);
    const char *bad[] = {"gopher://x", "ftp://u:pw@h/x", "v4l2://dev/video0", "file://rel",
                         "", NULL};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        assert_int_equal(vg_url_classify(bad[k], &i, &err), VG_ERR_INVALID);
        assert_null(strstr(err.msg, "pw@"));
    }
    assert_int_equal(vg_url_scheme_len("rtsp://x"), 7);
    assert_int_equal(vg_url_scheme_len("c:/x"), 0);
    assert_int_equal(vg_url_scheme_len("1http://x"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_credentials),
        cmocka_unit_test(test_query_and_path),
        cmocka_unit_test(test_at_in_path_and_no_scheme),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_classify),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
