/*
 * The CRC-32C of .nev frames (src/nev/framing.ts), many frames per call: the recorder's write
 * thread checksums hundreds of thousands of small frames a second, and in JavaScript (table-driven,
 * about 1.5 ns a byte) that was the largest single cost of a live recording. With the SSE4.2
 * crc32 instruction a 170-byte frame takes about 30 ns; one call per 1 MiB chunk keeps the FFI cost
 * (about 1 µs a call through koffi) off the per-frame budget.
 *
 * Built by scripts/build.mjs into dist/native/ on x86-64; loaded by src/nev/native-frames.ts,
 * which falls back to JavaScript when this library or SSE4.2 is absent. No libc: nothing to link.
 */
#include <stdint.h>
#include <stddef.h>
#include <cpuid.h>

/* Frame layout (framing.ts): sync(4) | length u32 BE | type u8 | CRC-32C u32 BE | payload. */
enum { HEADER = 13, CRC_AT = 9 };

/* 1 when this CPU has the SSE4.2 crc32 instruction, which netrec_checksum_frames() uses. */
int netrec_crc32c_supported(void)
{
	unsigned a, b, c, d;
	return __get_cpuid(1, &a, &b, &c, &d) && (c & bit_SSE4_2) != 0;
}

__attribute__((target("sse4.2")))
static uint32_t crc32c(uint32_t c, const uint8_t *p, size_t n)
{
	for (; n >= 8; p += 8, n -= 8) {
		uint64_t w;
		__builtin_memcpy(&w, p, 8);
		c = (uint32_t)__builtin_ia32_crc32di(c, w);
	}
	for (; n > 0; p++, n--)
		c = __builtin_ia32_crc32qi(c, *p);
	return c;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/*
 * Writes the checksum of each of the `count` frames at buf[offsets[i]]: over the length and type
 * (bytes 4..8) and the payload. Returns -1, or the index of the first frame that does not lie
 * within the `size` bytes of buf (nothing from it on is written: the caller's bug, reported).
 */
int32_t netrec_checksum_frames(uint8_t *buf, size_t size, const int32_t *offsets, int32_t count)
{
	for (int32_t i = 0; i < count; i++) {
		int32_t at = offsets[i];
		if (at < 0 || (size_t)at > size || size - (size_t)at < HEADER)
			return i;
		uint8_t *frame = buf + at;
		uint32_t length = be32(frame + 4);
		if (length > size - (size_t)at - HEADER)
			return i;
		uint32_t c = crc32c(0xffffffffu, frame + 4, 5);
		c = ~crc32c(c, frame + HEADER, length);
		frame[CRC_AT] = (uint8_t)(c >> 24);
		frame[CRC_AT + 1] = (uint8_t)(c >> 16);
		frame[CRC_AT + 2] = (uint8_t)(c >> 8);
		frame[CRC_AT + 3] = (uint8_t)c;
	}
	return -1;
}
