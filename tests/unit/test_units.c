/*
 * test_units.c: the bandwidth, delay and loss parsers of NS files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "units.h"

static void
bw_ok(const char *s, long want)
{
	const char *why = NULL;
	long kbps = -1;

	if (nc_bandwidth_parse(s, &kbps, &why) != 0)
		fail_msg("bandwidth \"%s\": %s", s, why);
	if (kbps != want)
		fail_msg("bandwidth \"%s\": got %ld, want %ld", s, kbps, want);
}

static void
bw_bad(const char *s, const char *want)
{
	const char *why = NULL;
	long kbps = -7;

	if (nc_bandwidth_parse(s, &kbps, &why) == 0)
		fail_msg("bandwidth \"%s\" accepted as %ld", s, kbps);
	assert_non_null(why);
	assert_int_equal(kbps, -7);
	if (want != NULL)
		assert_string_equal(why, want);
}

static void
delay_ok(const char *s, double want)
{
	const char *why = NULL;
	double ms = -1;

	if (nc_delay_parse(s, &ms, &why) != 0)
		fail_msg("delay \"%s\": %s", s, why);
	assert_float_equal(ms, want, 1e-12);
}

static void
delay_bad(const char *s, const char *want)
{
	const char *why = NULL;
	double ms = -7;

	if (nc_delay_parse(s, &ms, &why) == 0)
		fail_msg("delay \"%s\" accepted as %g", s, ms);
	assert_non_null(why);
	assert_float_equal(ms, -7, 0);
	if (want != NULL)
		assert_string_equal(why, want);
}

static void
loss_ok(const char *s, double want)
{
	const char *why = NULL;
	double loss = -1;

	if (nc_loss_parse(s, &loss, &why) != 0)
		fail_msg("loss \"%s\": %s", s, why);
	assert_float_equal(loss, want, 1e-12);
}

static void
loss_bad(const char *s, const char *want)
{
	const char *why = NULL;
	double loss = -7;

	if (nc_loss_parse(s, &loss, &why) == 0)
		fail_msg("loss \"%s\" accepted as %g", s, loss);
	assert_non_null(why);
	if (want != NULL)
		assert_string_equal(why, want);
}

static void
test_bandwidth_units(void **state)
{
	(void)state;
	/* every unit, all of them bits */
	bw_ok("1000000b", 1000);
	bw_ok("1000000bps", 1000);
	bw_ok("10k", 10);
	bw_ok("10kb", 10);
	bw_ok("10kbps", 10);
	bw_ok("10K", 10);
	bw_ok("10Kb", 10);
	bw_ok("10Kbps", 10);
	bw_ok("100M", 100000);
	bw_ok("100Mb", 100000);
	bw_ok("100Mbps", 100000);
	bw_ok("1G", 1000000);
	bw_ok("1Gb", 1000000);
	bw_ok("1Gbps", 1000000);
	/* a bare number is bits/s */
	bw_ok("1000000", 1000);
	bw_ok("10000", 10);
	/* decimals, rounded to whole kbit/s */
	bw_ok("1.5Mb", 1500);
	bw_ok("0.5Gb", 500000);
	bw_ok(".25Mb", 250);
	bw_ok("12345b", 12);
	bw_ok("12500b", 13);
	bw_ok("10.4kb", 10);
	bw_ok("1.5e3kb", 1500);
	bw_ok("1e3Gb", 1000000000);
	/* unlimited */
	bw_ok("*", 0);
}

static void
test_bandwidth_errors(void **state)
{
	(void)state;
	bw_bad("5kb", "bandwidth 5kb is under 10 kbit/s");
	bw_bad("9999", "bandwidth 9999 is under 10 kbit/s");
	bw_bad("9.9999kb", "bandwidth 9.9999kb is under 10 kbit/s");
	bw_bad("0", "bandwidth 0 is under 10 kbit/s");
	bw_bad("0Mb", "bandwidth 0Mb is under 10 kbit/s");
	bw_bad("5xb", "unknown bandwidth unit \"xb\" in \"5xb\"");
	bw_bad("100mb", "unknown bandwidth unit \"mb\" in \"100mb\"");
	bw_bad("100MB", "unknown bandwidth unit \"MB\" in \"100MB\"");
	bw_bad("100 Mb", "unknown bandwidth unit \" Mb\" in \"100 Mb\"");
	bw_bad("100Mb ", "unknown bandwidth unit \"Mb \" in \"100Mb \"");
	bw_bad("0x10Mb", "unknown bandwidth unit \"x10Mb\" in \"0x10Mb\"");
	bw_bad("-5Mb", "bandwidth -5Mb is negative");
	bw_bad("", "empty bandwidth");
	bw_bad("abc", "bandwidth \"abc\" is not a number");
	bw_bad("Mb", "bandwidth \"Mb\" is not a number");
	bw_bad("nan", "bandwidth \"nan\" is not a number");
	bw_bad("inf", "bandwidth \"inf\" is not a number");
	bw_bad("NaNMb", "bandwidth \"NaNMb\" is not a number");
	bw_bad("+5Mb", "bandwidth \"+5Mb\" is not a number");
	bw_bad(" 5Mb", NULL);
	bw_bad("1e400", "bandwidth 1e400 is too large");
	bw_bad("1e10Gb", "bandwidth 1e10Gb is too large");
	bw_bad("**", NULL);
	bw_bad("5\x01Mb", "unknown bandwidth unit \"\\x01Mb\" in "
	    "\"5\\x01Mb\"");
}

static void
test_delay(void **state)
{
	(void)state;
	delay_ok("10ms", 10);
	delay_ok("2.5ms", 2.5);
	delay_ok("1s", 1000);
	delay_ok("0.5s", 500);
	delay_ok("100ns", 0.0001);
	delay_ok("0", 0);
	delay_ok("0ms", 0);
	delay_ok("-0", 0);
	/* a bare number is seconds */
	delay_ok("0.5", 500);
	delay_ok("2", 2000);
	delay_ok("1e-3", 1);

	delay_bad("-1ms", "delay -1ms is negative");
	delay_bad("-0.5", "delay -0.5 is negative");
	delay_bad("5us", "unknown delay unit \"us\" in \"5us\"");
	delay_bad("5m", "unknown delay unit \"m\" in \"5m\"");
	delay_bad("5MS", "unknown delay unit \"MS\" in \"5MS\"");
	delay_bad("10 ms", "unknown delay unit \" ms\" in \"10 ms\"");
	delay_bad("0x5", "unknown delay unit \"x5\" in \"0x5\"");
	delay_bad("", "empty delay");
	delay_bad("ms", "delay \"ms\" is not a number");
	delay_bad("nan", "delay \"nan\" is not a number");
	delay_bad("infms", "delay \"infms\" is not a number");
	delay_bad("1e999s", "delay 1e999s is too large");
}

static void
test_loss(void **state)
{
	(void)state;
	loss_ok("0", 0);
	loss_ok("1", 1);
	loss_ok("0.05", 0.05);
	loss_ok(".5", 0.5);
	loss_ok("1e-3", 0.001);
	loss_ok("1.0", 1);

	loss_bad("1.5", "loss 1.5 is not between 0 and 1");
	loss_bad("-0.1", "loss -0.1 is not between 0 and 1");
	loss_bad("2", "loss 2 is not between 0 and 1");
	loss_bad("", "empty loss");
	loss_bad("abc", "loss \"abc\" is not a number");
	loss_bad("0.1x", "loss \"0.1x\" is not a number");
	loss_bad("5%", "loss \"5%\" is not a number");
	loss_bad("nan", "loss \"nan\" is not a number");
	loss_bad("inf", "loss \"inf\" is not a number");
	loss_bad("0x1", "loss \"0x1\" is not a number");
	loss_bad(" 0.1", NULL);
}

static void
test_long_input(void **state)
{
	char buf[300];
	const char *why;
	long kbps;

	(void)state;
	memset(buf, 'x', sizeof(buf) - 1);
	buf[0] = '1';
	buf[sizeof(buf) - 1] = '\0';
	assert_int_equal(nc_bandwidth_parse(buf, &kbps, &why), -1);
	/* the input is cut in the message */
	assert_non_null(strstr(why, "..."));
	assert_true(strlen(why) < 200);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bandwidth_units),
		cmocka_unit_test(test_bandwidth_errors),
		cmocka_unit_test(test_delay),
		cmocka_unit_test(test_loss),
		cmocka_unit_test(test_long_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
