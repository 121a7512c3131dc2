/*
 * test-json.c: the JSON writer behind line mode: escaping, numbers,
 * booleans, and invalid UTF-8 from the network turned into U+FFFD.
 */
#include "config.h"

#include <string.h>

#include "json.h"
#include "tap.h"

int
main(void)
{
	struct json	 j = { 0 };

	json_begin(&j);
	is_str(json_end(&j), "{}", "empty object");

	json_begin(&j);
	json_str(&j, "event", "registration");
	json_int(&j, "code", 200);
	json_int(&j, "neg", -5);
	json_bool(&j, "t", true);
	json_bool(&j, "f", false);
	json_null(&j, "n");
	is_str(json_end(&j),
	    "{\"event\":\"registration\",\"code\":200,\"neg\":-5,\"t\":true,"
	    "\"f\":false,\"n\":null}", "members and types");

	json_begin(&j);
	json_str(&j, "s", "a\"b\\c\nd\re\tf\x01g\x7f");
	is_str(json_end(&j), "{\"s\":\"a\\\"b\\\\c\\nd\\re\\tf\\u0001g\\u007f\"}",
	    "escapes quotes, backslash and control characters");

	json_begin(&j);
	json_str(&j, "s", "J\xc3\xbcrgen \xe2\x82\xac \xf0\x9f\x93\x9e");
	is_str(json_end(&j), "{\"s\":\"J\xc3\xbcrgen \xe2\x82\xac \xf0\x9f\x93\x9e\"}",
	    "valid UTF-8 passes through");

	json_begin(&j);
	json_str(&j, "s", "a\xff" "b\xc3" "c\xc0\xaf" "d\xed\xa0\x80" "e");
	is_str(json_end(&j),
	    "{\"s\":\"a\xef\xbf\xbd" "b\xef\xbf\xbd" "c\xef\xbf\xbd\xef\xbf\xbd"
	    "d\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" "e\"}",
	    "invalid, truncated, overlong and surrogate UTF-8 replaced");

	json_begin(&j);
	json_str(&j, "s", NULL);
	is_str(json_end(&j), "{\"s\":\"\"}", "NULL string is empty");

	json_begin(&j);
	{
		char	 big[5000];

		memset(big, 'x', sizeof big - 1);
		big[sizeof big - 1] = '\0';
		json_str(&j, "big", big);
		ok(strlen(json_end(&j)) == sizeof big - 1 + 10, "long values grow the buffer");
	}
	json_free(&j);
	return done_testing();
}
