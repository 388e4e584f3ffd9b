#include <string.h>
#include <time.h>
#include <sys/random.h>

#include "hoso/id.h"
#include "common.h"

static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

void hoso_id_make(char out[HOSO_ID_LEN + 1], uint64_t ms, const uint8_t rnd[10])
{
	uint64_t hi, lo;
	int i;

	/* 10 characters of time (48 bits, the first character holds 3). */
	for (i = 9; i >= 0; i--) {
		out[i] = crockford[ms & 31];
		ms >>= 5;
	}
	/* 16 characters of randomness: two 40-bit halves. */
	hi = lo = 0;
	for (i = 0; i < 5; i++) {
		hi = hi << 8 | rnd[i];
		lo = lo << 8 | rnd[i + 5];
	}
	for (i = 7; i >= 0; i--) {
		out[10 + i] = crockford[hi & 31];
		out[18 + i] = crockford[lo & 31];
		hi >>= 5;
		lo >>= 5;
	}
	out[HOSO_ID_LEN] = '\0';
}

int hoso_id_new(char out[HOSO_ID_LEN + 1])
{
	static _Thread_local uint64_t last_ms;
	static _Thread_local uint8_t last_rnd[10];
	struct timespec ts;
	uint64_t ms;
	int i;

	if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
		return hoso_error_set(HOSO_ERROR, "cannot read the clock");
	ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	if (ms <= last_ms) {
		/* Same millisecond (or the clock went back): count up, stay ordered. */
		ms = last_ms;
		for (i = 9; i >= 0 && ++last_rnd[i] == 0; i--)
			;
		if (i < 0)
			ms = ++last_ms;
	} else if (getrandom(last_rnd, sizeof(last_rnd), 0) != (ssize_t)sizeof(last_rnd)) {
		return hoso_error_set(HOSO_ERROR, "cannot read random bytes for a new id");
	}
	last_ms = ms;
	hoso_id_make(out, ms, last_rnd);
	return 0;
}

int hoso_id_valid(const char *s)
{
	size_t i;

	if (!s || s[0] < '0' || s[0] > '7')
		return 0;
	for (i = 0; i < HOSO_ID_LEN; i++)
		if (!s[i] || !strchr(crockford, s[i]))
			return 0;
	return s[HOSO_ID_LEN] == '\0';
}

void hoso_id_shard(char out[3], const char *id)
{
	out[0] = id[HOSO_ID_LEN - 1];
	out[1] = '\0';
}
