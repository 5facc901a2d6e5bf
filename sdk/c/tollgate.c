/*
 * Tollgate C SDK, the part that does not depend on the world: the per-call arena, strings,
 * buffers, base64, fields and JSON. The host glue and the exports are in tollgate_host.c.
 *
 * The JSON reader and writer reproduce serde_json (1.0, `preserve_order` and
 * `float_roundtrip`, without `arbitrary_precision`), the JSON of the Rust SDK, down to its error
 * messages and positions and its number parsing, so that a C plugin answers byte for byte
 * what the same Rust plugin answers. Each function below names the serde_json function it
 * mirrors; keep them in step when serde_json changes (host/tollgate-toolchain/tests/c.rs
 * compares the two on a few thousand inputs).
 */
#include "tollgate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------------------- */
/* The arena                                                                           */
/* ---------------------------------------------------------------------------------- */

/*
 * Chunks of one call's allocations. A call's values die together when it returns, so a
 * bump allocator needs no per-object bookkeeping and plugin code never frees anything.
 */
typedef struct tg_chunk {
    struct tg_chunk *next;
    size_t used;
    size_t size;
    _Alignas(16) unsigned char data[];
} tg_chunk;

enum { TG_CHUNK_SIZE = 64 * 1024, TG_ALIGN = 16, TG_FIRST_CHUNK_SIZE = 32 * 1024 };

/*
 * The first chunk of every call is static: most calls fit in it, and it lies in the
 * instance's initial (zeroed) memory, so a call costs no malloc and no memory growth
 * before the first 32 KiB.
 */
static union {
    tg_chunk chunk;
    unsigned char bytes[sizeof(tg_chunk) + TG_FIRST_CHUNK_SIZE];
} tg_first;

static tg_chunk *tg_arena;

static tg_chunk *tg_chunk_new(size_t size) {
    tg_chunk *chunk = malloc(sizeof(tg_chunk) + size);
    if (chunk == NULL) {
        /* Out of memory inside the guest's limit: trapping is the only honest answer. */
        abort();
    }
    chunk->next = NULL;
    chunk->used = 0;
    chunk->size = size;
    return chunk;
}

void *tg_alloc(size_t size) {
    size_t rounded = (size + (TG_ALIGN - 1)) & ~(size_t)(TG_ALIGN - 1);
    if (rounded < size) {
        abort();
    }
    if (tg_arena == NULL) {
        tg_first.chunk.next = NULL;
        tg_first.chunk.used = 0;
        tg_first.chunk.size = TG_FIRST_CHUNK_SIZE;
        tg_arena = &tg_first.chunk;
    }
    if (rounded > TG_CHUNK_SIZE / 4) {
        /* A large block gets a chunk of its own behind the current one, so the current
           chunk's free space is not wasted. */
        tg_chunk *chunk = tg_chunk_new(rounded);
        chunk->used = rounded;
        chunk->next = tg_arena->next;
        tg_arena->next = chunk;
        memset(chunk->data, 0, rounded);
        return chunk->data;
    }
    if (tg_arena->size - tg_arena->used < rounded) {
        tg_chunk *chunk = tg_chunk_new(TG_CHUNK_SIZE);
        chunk->next = tg_arena;
        tg_arena = chunk;
    }
    void *block = tg_arena->data + tg_arena->used;
    tg_arena->used += rounded;
    memset(block, 0, rounded);
    return block;
}

/* Grows the block `ptr` of `old_size` bytes: in place when it is the arena's last. */
static void *tg_grow(void *ptr, size_t old_size, size_t new_size) {
    if (ptr != NULL && tg_arena != NULL && new_size <= TG_CHUNK_SIZE / 4) {
        size_t old_rounded = (old_size + (TG_ALIGN - 1)) & ~(size_t)(TG_ALIGN - 1);
        size_t new_rounded = (new_size + (TG_ALIGN - 1)) & ~(size_t)(TG_ALIGN - 1);
        unsigned char *end = tg_arena->data + tg_arena->used;
        if ((unsigned char *)ptr + old_rounded == end &&
            tg_arena->used - old_rounded + new_rounded <= tg_arena->size) {
            tg_arena->used = tg_arena->used - old_rounded + new_rounded;
            memset((unsigned char *)ptr + old_size, 0, new_rounded - old_size);
            return ptr;
        }
    }
    void *block = tg_alloc(new_size);
    if (ptr != NULL && old_size > 0) {
        memcpy(block, ptr, old_size);
    }
    return block;
}

void tg__arena_release(void) {
    while (tg_arena != NULL) {
        tg_chunk *next = tg_arena->next;
        if (tg_arena != &tg_first.chunk) {
            free(tg_arena);
        }
        tg_arena = next;
    }
}

/* ---------------------------------------------------------------------------------- */
/* Strings and buffers                                                                 */
/* ---------------------------------------------------------------------------------- */

tg_str tg_str_of(const char *s) {
    tg_str out = {s, s == NULL ? 0 : strlen(s)};
    return out;
}

tg_str tg_str_copy(const char *ptr, size_t len) {
    char *copy = tg_alloc(len + 1);
    if (len > 0) {
        memcpy(copy, ptr, len);
    }
    tg_str out = {copy, len};
    return out;
}

tg_str tg_vsprintf(const char *format, va_list args) {
    va_list again;
    va_copy(again, args);
    char small[256];
    int n = vsnprintf(small, sizeof small, format, args);
    if (n < 0) {
        va_end(again);
        return tg_str_copy("", 0);
    }
    if ((size_t)n < sizeof small) {
        va_end(again);
        return tg_str_copy(small, (size_t)n);
    }
    char *big = tg_alloc((size_t)n + 1);
    vsnprintf(big, (size_t)n + 1, format, again);
    va_end(again);
    tg_str out = {big, (size_t)n};
    return out;
}

tg_str tg_sprintf(const char *format, ...) {
    va_list args;
    va_start(args, format);
    tg_str out = tg_vsprintf(format, args);
    va_end(args);
    return out;
}

bool tg_str_eq(tg_str a, const char *b) {
    size_t n = strlen(b);
    return a.ptr != NULL && a.len == n && memcmp(a.ptr, b, n) == 0;
}

static int tg_ascii_lower(int c) {
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static bool tg_eq_ignore_case_n(const char *a, size_t a_len, const char *b, size_t b_len) {
    if (a_len != b_len) {
        return false;
    }
    for (size_t i = 0; i < a_len; i++) {
        if (tg_ascii_lower((unsigned char)a[i]) != tg_ascii_lower((unsigned char)b[i])) {
            return false;
        }
    }
    return true;
}

bool tg_str_eq_ignore_case(tg_str a, const char *b) {
    return a.ptr != NULL && tg_eq_ignore_case_n(a.ptr, a.len, b, strlen(b));
}

bool tg_str_starts_with(tg_str s, const char *prefix) {
    size_t n = strlen(prefix);
    return s.len >= n && (n == 0 || memcmp(s.ptr, prefix, n) == 0);
}

bool tg_str_ends_with(tg_str s, const char *suffix) {
    size_t n = strlen(suffix);
    return s.len >= n && (n == 0 || memcmp(s.ptr + s.len - n, suffix, n) == 0);
}

/* Rust's `char::is_whitespace`: the Unicode White_Space property. */
static bool tg_is_unicode_space(uint32_t c) {
    return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
           c == 0x205F || c == 0x3000;
}

/* Decodes the UTF-8 character at `s[0..n)`; its width, or 0 when it is not one. */
static size_t tg_utf8_decode(const unsigned char *s, size_t n, uint32_t *c) {
    if (n == 0) {
        return 0;
    }
    if (s[0] < 0x80) {
        *c = s[0];
        return 1;
    }
    size_t width = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC0 ? 2 : 0;
    if (width == 0 || width > n) {
        return 0;
    }
    uint32_t value = s[0] & (0x7F >> width);
    for (size_t i = 1; i < width; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            return 0;
        }
        value = (value << 6) | (s[i] & 0x3F);
    }
    *c = value;
    return width;
}

tg_str tg_str_trim(tg_str s) {
    if (s.ptr == NULL) {
        return s;
    }
    const unsigned char *p = (const unsigned char *)s.ptr;
    size_t start = 0, end = s.len;
    while (start < end) {
        uint32_t c;
        size_t width = tg_utf8_decode(p + start, end - start, &c);
        if (width == 0 || !tg_is_unicode_space(c)) {
            break;
        }
        start += width;
    }
    while (end > start) {
        size_t begin = end - 1;
        while (begin > start && end - begin < 4 && (p[begin] & 0xC0) == 0x80) {
            begin--;
        }
        uint32_t c;
        size_t width = tg_utf8_decode(p + begin, end - begin, &c);
        if (width != end - begin || !tg_is_unicode_space(c)) {
            break;
        }
        end = begin;
    }
    tg_str out = {s.ptr + start, end - start};
    return out;
}

bool tg_str_split_once(tg_str s, char separator, tg_str *before, tg_str *after) {
    if (s.ptr == NULL) {
        return false;
    }
    const char *at = memchr(s.ptr, separator, s.len);
    if (at == NULL) {
        return false;
    }
    if (before != NULL) {
        before->ptr = s.ptr;
        before->len = (size_t)(at - s.ptr);
    }
    if (after != NULL) {
        after->ptr = at + 1;
        after->len = s.len - (size_t)(at - s.ptr) - 1;
    }
    return true;
}

bool tg_str_split_next(tg_str *rest, char separator, tg_str *part) {
    if (rest->ptr == NULL) {
        return false;
    }
    const char *at = rest->len == 0 ? NULL : memchr(rest->ptr, separator, rest->len);
    if (at == NULL) {
        /* The last part; a NULL rest ends the iteration (Rust's split yields it once). */
        *part = *rest;
        rest->ptr = NULL;
        rest->len = 0;
        return true;
    }
    part->ptr = rest->ptr;
    part->len = (size_t)(at - rest->ptr);
    rest->len -= part->len + 1;
    rest->ptr = at + 1;
    return true;
}

bool tg_str_parse_u64(tg_str s, uint64_t *value) {
    const char *p = s.ptr;
    size_t n = s.len;
    if (p == NULL || n == 0) {
        return false;
    }
    if (p[0] == '+') {
        p++;
        n--;
        if (n == 0) {
            return false;
        }
    }
    uint64_t result = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') {
            return false;
        }
        uint64_t digit = (uint64_t)(p[i] - '0');
        if (result > (UINT64_MAX - digit) / 10) {
            return false;
        }
        result = result * 10 + digit;
    }
    *value = result;
    return true;
}

/* How many leading bytes are valid UTF-8: Rust's `Utf8Error::valid_up_to`. */
static size_t tg_utf8_valid_up_to(const unsigned char *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        unsigned char b = s[i];
        if (b < 0x80) {
            i++;
            continue;
        }
        size_t width;
        unsigned char lo = 0x80, hi = 0xBF;
        if (b >= 0xC2 && b <= 0xDF) {
            width = 2;
        } else if (b >= 0xE0 && b <= 0xEF) {
            width = 3;
            if (b == 0xE0) {
                lo = 0xA0;
            } else if (b == 0xED) {
                hi = 0x9F;
            }
        } else if (b >= 0xF0 && b <= 0xF4) {
            width = 4;
            if (b == 0xF0) {
                lo = 0x90;
            } else if (b == 0xF4) {
                hi = 0x8F;
            }
        } else {
            return i;
        }
        if (i + 1 >= n || s[i + 1] < lo || s[i + 1] > hi) {
            return i;
        }
        for (size_t k = 2; k < width; k++) {
            if (i + k >= n || (s[i + k] & 0xC0) != 0x80) {
                return i;
            }
        }
        i += width;
    }
    return n;
}

bool tg_utf8_valid(const void *bytes, size_t len) {
    return tg_utf8_valid_up_to(bytes, len) == len;
}

/*
 * The length of the invalid sequence at `s[0..n)`: the "maximal subpart" of a well-formed
 * sequence that Rust's `from_utf8_lossy` (and the Unicode standard) replaces with one U+FFFD.
 */
static size_t tg_utf8_invalid_len(const unsigned char *s, size_t n) {
    unsigned char b = s[0];
    size_t width;
    unsigned char lo = 0x80, hi = 0xBF;
    if (b >= 0xC2 && b <= 0xDF) {
        width = 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
        width = 3;
        lo = b == 0xE0 ? 0xA0 : 0x80;
        hi = b == 0xED ? 0x9F : 0xBF;
    } else if (b >= 0xF0 && b <= 0xF4) {
        width = 4;
        lo = b == 0xF0 ? 0x90 : 0x80;
        hi = b == 0xF4 ? 0x8F : 0xBF;
    } else {
        return 1;
    }
    if (n < 2 || s[1] < lo || s[1] > hi) {
        return 1;
    }
    size_t k = 2;
    while (k < width && k < n && (s[k] & 0xC0) == 0x80) {
        k++;
    }
    return k;
}

tg_str tg_utf8_lossy(const void *bytes, size_t len) {
    const unsigned char *s = bytes;
    tg_buf out = {0};
    size_t i = 0;
    while (i < len) {
        size_t valid = tg_utf8_valid_up_to(s + i, len - i);
        tg_buf_append(&out, s + i, valid);
        i += valid;
        if (i < len) {
            tg_buf_append(&out, "\xEF\xBF\xBD", 3);
            i += tg_utf8_invalid_len(s + i, len - i);
        }
    }
    return tg_buf_str(&out);
}

void tg_buf_append(tg_buf *buf, const void *bytes, size_t len) {
    if (buf->len + len + 1 > buf->cap) {
        size_t cap = buf->cap < 64 ? 64 : buf->cap * 2;
        while (cap < buf->len + len + 1) {
            cap *= 2;
        }
        buf->ptr = tg_grow(buf->ptr, buf->cap, cap);
        buf->cap = cap;
    }
    if (len > 0) {
        memcpy(buf->ptr + buf->len, bytes, len);
    }
    buf->len += len;
    buf->ptr[buf->len] = '\0';
}

void tg_buf_puts(tg_buf *buf, const char *s) {
    tg_buf_append(buf, s, strlen(s));
}

static void tg_buf_byte(tg_buf *buf, char c) {
    if (buf->len + 2 <= buf->cap) {
        buf->ptr[buf->len++] = c;
        buf->ptr[buf->len] = '\0';
    } else {
        tg_buf_append(buf, &c, 1);
    }
}

void tg_buf_printf(tg_buf *buf, const char *format, ...) {
    va_list args;
    va_start(args, format);
    tg_str s = tg_vsprintf(format, args);
    va_end(args);
    tg_buf_append(buf, s.ptr, s.len);
}

tg_str tg_buf_str(const tg_buf *buf) {
    if (buf->ptr == NULL) {
        return tg_str_copy("", 0);
    }
    tg_str out = {buf->ptr, buf->len};
    return out;
}

/* ---------------------------------------------------------------------------------- */
/* base64 (the `base64` crate's STANDARD engine, which the Rust SDK decodes bodies with) */
/* ---------------------------------------------------------------------------------- */

static const char tg_b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

tg_str tg_base64_encode(const void *bytes, size_t len) {
    const unsigned char *in = bytes;
    size_t out_len = (len + 2) / 3 * 4;
    char *out = tg_alloc(out_len + 1);
    size_t o = 0, i = 0;
    for (; i + 3 <= len; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = tg_b64_alphabet[v >> 18];
        out[o++] = tg_b64_alphabet[(v >> 12) & 63];
        out[o++] = tg_b64_alphabet[(v >> 6) & 63];
        out[o++] = tg_b64_alphabet[v & 63];
    }
    if (len - i == 1) {
        uint32_t v = (uint32_t)in[i] << 16;
        out[o++] = tg_b64_alphabet[v >> 18];
        out[o++] = tg_b64_alphabet[(v >> 12) & 63];
        out[o++] = '=';
        out[o++] = '=';
    } else if (len - i == 2) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        out[o++] = tg_b64_alphabet[v >> 18];
        out[o++] = tg_b64_alphabet[(v >> 12) & 63];
        out[o++] = tg_b64_alphabet[(v >> 6) & 63];
        out[o++] = '=';
    }
    tg_str s = {out, o};
    return s;
}

static int tg_b64_value(unsigned char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

/*
 * Mirrors base64 0.22's `GeneralPurpose::decode` with canonical padding and no trailing
 * bits (`decode_helper`, `complete_quads_len`, `decode_suffix`), so that the same input
 * fails with the same message.
 */
bool tg_base64_decode(const char *text, size_t len, tg_bytes *out, const char **error) {
    const unsigned char *in = (const unsigned char *)text;
    size_t rem = len % 4;
    if (rem == 1) {
        unsigned char last = in[len - 1];
        if (last != '=' && tg_b64_value(last) < 0) {
            *error = tg_sprintf("Invalid symbol %u, offset %zu.", last, len - 1).ptr;
            return false;
        }
    }
    size_t quads = len >= rem ? len - rem : 0;
    quads = rem == 0 ? (quads >= 4 ? quads - 4 : 0) : quads;
    uint8_t *bytes = tg_alloc((len / 4 + 1) * 3 + 1);
    size_t o = 0;
    for (size_t i = 0; i < quads; i += 4) {
        uint32_t v = 0;
        for (size_t k = 0; k < 4; k++) {
            int m = tg_b64_value(in[i + k]);
            if (m < 0) {
                *error = tg_sprintf("Invalid symbol %u, offset %zu.", in[i + k], i + k).ptr;
                return false;
            }
            v = v << 6 | (uint32_t)m;
        }
        bytes[o++] = (uint8_t)(v >> 16);
        bytes[o++] = (uint8_t)(v >> 8);
        bytes[o++] = (uint8_t)v;
    }
    size_t morsels_len = 0, padding = 0, first_padding = 0;
    unsigned char last_symbol = 0;
    uint8_t morsels[4] = {0, 0, 0, 0};
    for (size_t k = 0; quads + k < len; k++) {
        unsigned char b = in[quads + k];
        if (b == '=') {
            if (k < 2) {
                *error = tg_sprintf("Invalid symbol %u, offset %zu.", b, quads + k).ptr;
                return false;
            }
            if (padding == 0) {
                first_padding = k;
            }
            padding++;
            continue;
        }
        if (padding > 0) {
            *error = tg_sprintf("Invalid symbol %u, offset %zu.", '=', quads + first_padding).ptr;
            return false;
        }
        last_symbol = b;
        int m = tg_b64_value(b);
        if (m < 0) {
            *error = tg_sprintf("Invalid symbol %u, offset %zu.", b, quads + k).ptr;
            return false;
        }
        morsels[morsels_len++] = (uint8_t)m;
    }
    if (len > 0 && morsels_len < 2) {
        *error = tg_sprintf("Invalid input length: %zu", quads + morsels_len).ptr;
        return false;
    }
    if ((padding + morsels_len) % 4 != 0) {
        *error = "Invalid padding";
        return false;
    }
    size_t append = morsels_len * 6 / 8;
    uint32_t leftover = (uint32_t)morsels[0] << 26 | (uint32_t)morsels[1] << 20 |
                        (uint32_t)morsels[2] << 14 | (uint32_t)morsels[3] << 8;
    uint32_t mask = append == 0 ? 0xFFFFFFFFu : 0xFFFFFFFFu >> (append * 8);
    if ((leftover & mask) != 0) {
        *error = tg_sprintf("Invalid last symbol %u, offset %zu.", last_symbol,
                            quads + morsels_len - 1)
                     .ptr;
        return false;
    }
    for (size_t k = 0; k < append; k++) {
        bytes[o++] = (uint8_t)(leftover >> 24);
        leftover <<= 8;
    }
    out->ptr = bytes;
    out->len = o;
    return true;
}

/* ---------------------------------------------------------------------------------- */
/* Fields                                                                              */
/* ---------------------------------------------------------------------------------- */

static bool tg_field_is(const tg_field *field, const char *name, size_t len, bool ignore_case) {
    if (ignore_case) {
        return tg_eq_ignore_case_n(field->name.ptr, field->name.len, name, len);
    }
    return field->name.len == len && memcmp(field->name.ptr, name, len) == 0;
}

static tg_str tg_fields_find(const tg_fields *fields, const char *name, bool ignore_case,
                             bool last) {
    size_t len = strlen(name);
    if (fields != NULL) {
        for (size_t k = 0; k < fields->len; k++) {
            size_t i = last ? fields->len - 1 - k : k;
            if (tg_field_is(&fields->items[i], name, len, ignore_case)) {
                return fields->items[i].value;
            }
        }
    }
    return TG_NONE;
}

tg_str tg_fields_get(const tg_fields *fields, const char *name) {
    return tg_fields_find(fields, name, false, false);
}

tg_str tg_fields_get_ignore_case(const tg_fields *fields, const char *name) {
    return tg_fields_find(fields, name, true, false);
}

tg_str tg_fields_last(const tg_fields *fields, const char *name) {
    return tg_fields_find(fields, name, false, true);
}

tg_str tg_fields_last_ignore_case(const tg_fields *fields, const char *name) {
    return tg_fields_find(fields, name, true, true);
}

void tg__fields_push(tg_fields *fields, tg_str name, tg_str value) {
    if (fields->len == fields->cap) {
        size_t cap = fields->cap == 0 ? 8 : fields->cap * 2;
        fields->items = tg_grow(fields->items, fields->cap * sizeof(tg_field),
                                cap * sizeof(tg_field));
        fields->cap = cap;
    }
    tg_field *field = &fields->items[fields->len++];
    field->name = name;
    field->value = value;
}

void tg_fields_add_str(tg_fields *fields, tg_str name, tg_str value) {
    tg__fields_push(fields, tg_str_copy(name.ptr, name.len), tg_str_copy(value.ptr, value.len));
}

void tg_fields_add(tg_fields *fields, const char *name, const char *value) {
    tg_fields_add_str(fields, tg_str_of(name), tg_str_of(value));
}

void tg_fields_remove(tg_fields *fields, const char *name) {
    size_t len = strlen(name), kept = 0;
    for (size_t i = 0; i < fields->len; i++) {
        if (!tg_field_is(&fields->items[i], name, len, true)) {
            fields->items[kept++] = fields->items[i];
        }
    }
    fields->len = kept;
}

void tg_fields_set(tg_fields *fields, const char *name, const char *value) {
    tg_fields_remove(fields, name);
    tg_fields_add(fields, name, value);
}

/* ---------------------------------------------------------------------------------- */
/* JSON values                                                                         */
/* ---------------------------------------------------------------------------------- */

/* serde_json's `N`: how a number is held. */
enum { TG_NUM_U64, TG_NUM_I64, TG_NUM_F64 };

typedef struct tg_member {
    tg_str key;
    tg_json *value;
} tg_member;

struct tg_json {
    tg_json_type type;
    int number_kind;
    union {
        bool boolean;
        uint64_t u64;
        int64_t i64;
        double f64;
        tg_str string;
        struct {
            tg_json **items;
            size_t len, cap;
        } array;
        struct {
            tg_member *items;
            size_t len, cap;
        } object;
    } as;
};

static tg_json *tg_json_alloc(tg_json_type type) {
    tg_json *value = tg_alloc(sizeof(tg_json));
    value->type = type;
    return value;
}

tg_json *tg_json_null(void) {
    return tg_json_alloc(TG_JSON_NULL);
}

tg_json *tg_json_new_bool(bool b) {
    tg_json *value = tg_json_alloc(TG_JSON_BOOL);
    value->as.boolean = b;
    return value;
}

tg_json *tg_json_new_u64(uint64_t n) {
    tg_json *value = tg_json_alloc(TG_JSON_NUMBER);
    value->number_kind = TG_NUM_U64;
    value->as.u64 = n;
    return value;
}

tg_json *tg_json_new_i64(int64_t n) {
    /* serde_json keeps non-negative integers as u64 whatever their Rust type. */
    if (n >= 0) {
        return tg_json_new_u64((uint64_t)n);
    }
    tg_json *value = tg_json_alloc(TG_JSON_NUMBER);
    value->number_kind = TG_NUM_I64;
    value->as.i64 = n;
    return value;
}

tg_json *tg_json_new_f64(double f) {
    if (!isfinite(f)) {
        return tg_json_null();
    }
    tg_json *value = tg_json_alloc(TG_JSON_NUMBER);
    value->number_kind = TG_NUM_F64;
    value->as.f64 = f;
    return value;
}

tg_json *tg_json_new_string_n(const char *text, size_t len) {
    tg_json *value = tg_json_alloc(TG_JSON_STRING);
    value->as.string = tg_str_copy(text, len);
    return value;
}

tg_json *tg_json_new_string(const char *text) {
    return tg_json_new_string_n(text, strlen(text));
}

tg_json *tg_json_new_array(void) {
    return tg_json_alloc(TG_JSON_ARRAY);
}

tg_json *tg_json_new_object(void) {
    return tg_json_alloc(TG_JSON_OBJECT);
}

tg_json *tg_json_push(tg_json *array, tg_json *value) {
    if (array == NULL || array->type != TG_JSON_ARRAY) {
        return array;
    }
    if (array->as.array.len == array->as.array.cap) {
        size_t cap = array->as.array.cap == 0 ? 4 : array->as.array.cap * 2;
        array->as.array.items =
            tg_grow(array->as.array.items, array->as.array.cap * sizeof(tg_json *),
                    cap * sizeof(tg_json *));
        array->as.array.cap = cap;
    }
    array->as.array.items[array->as.array.len++] = value == NULL ? tg_json_null() : value;
    return array;
}

static tg_member *tg_json_member(const tg_json *object, const char *key, size_t len) {
    if (object == NULL || object->type != TG_JSON_OBJECT) {
        return NULL;
    }
    for (size_t i = 0; i < object->as.object.len; i++) {
        tg_member *member = &object->as.object.items[i];
        if (member->key.len == len && memcmp(member->key.ptr, key, len) == 0) {
            return member;
        }
    }
    return NULL;
}

/* IndexMap's `insert`: an existing key keeps its position and takes the new value. */
static void tg_json_insert(tg_json *object, tg_str key, tg_json *value) {
    tg_member *existing = tg_json_member(object, key.ptr, key.len);
    if (existing != NULL) {
        existing->value = value;
        return;
    }
    if (object->as.object.len == object->as.object.cap) {
        size_t cap = object->as.object.cap == 0 ? 4 : object->as.object.cap * 2;
        object->as.object.items =
            tg_grow(object->as.object.items, object->as.object.cap * sizeof(tg_member),
                    cap * sizeof(tg_member));
        object->as.object.cap = cap;
    }
    tg_member *member = &object->as.object.items[object->as.object.len++];
    member->key = key;
    member->value = value;
}

tg_json *tg_json_set_n(tg_json *object, const char *key, size_t key_len, tg_json *value) {
    if (object == NULL || object->type != TG_JSON_OBJECT) {
        return object;
    }
    tg_json_insert(object, tg_str_copy(key, key_len), value == NULL ? tg_json_null() : value);
    return object;
}

tg_json *tg_json_set(tg_json *object, const char *key, tg_json *value) {
    return tg_json_set_n(object, key, strlen(key), value);
}

bool tg_json_remove(tg_json *object, const char *key) {
    tg_member *member = tg_json_member(object, key, strlen(key));
    if (member == NULL) {
        return false;
    }
    size_t index = (size_t)(member - object->as.object.items);
    memmove(member, member + 1, (object->as.object.len - index - 1) * sizeof(tg_member));
    object->as.object.len--;
    return true;
}

tg_json *tg_json_clone(const tg_json *value) {
    if (value == NULL) {
        return NULL;
    }
    tg_json *copy = tg_json_alloc(value->type);
    *copy = *value;
    switch (value->type) {
    case TG_JSON_STRING:
        copy->as.string = tg_str_copy(value->as.string.ptr, value->as.string.len);
        break;
    case TG_JSON_ARRAY:
        copy->as.array.items = NULL;
        copy->as.array.len = copy->as.array.cap = 0;
        for (size_t i = 0; i < value->as.array.len; i++) {
            tg_json_push(copy, tg_json_clone(value->as.array.items[i]));
        }
        break;
    case TG_JSON_OBJECT:
        copy->as.object.items = NULL;
        copy->as.object.len = copy->as.object.cap = 0;
        for (size_t i = 0; i < value->as.object.len; i++) {
            const tg_member *member = &value->as.object.items[i];
            tg_json_insert(copy, tg_str_copy(member->key.ptr, member->key.len),
                           tg_json_clone(member->value));
        }
        break;
    default:
        break;
    }
    return copy;
}

tg_json_type tg_json_typeof(const tg_json *value) {
    return value == NULL ? TG_JSON_NULL : value->type;
}

bool tg_json_is_null(const tg_json *value) {
    return value == NULL || value->type == TG_JSON_NULL;
}

bool tg_json_bool(const tg_json *value) {
    return value != NULL && value->type == TG_JSON_BOOL && value->as.boolean;
}

double tg_json_number(const tg_json *value) {
    if (value == NULL || value->type != TG_JSON_NUMBER) {
        return 0;
    }
    switch (value->number_kind) {
    case TG_NUM_U64:
        return (double)value->as.u64;
    case TG_NUM_I64:
        return (double)value->as.i64;
    default:
        return value->as.f64;
    }
}

bool tg_json_get_u64(const tg_json *value, uint64_t *out) {
    if (value == NULL || value->type != TG_JSON_NUMBER || value->number_kind != TG_NUM_U64) {
        return false;
    }
    *out = value->as.u64;
    return true;
}

bool tg_json_get_i64(const tg_json *value, int64_t *out) {
    if (value == NULL || value->type != TG_JSON_NUMBER) {
        return false;
    }
    if (value->number_kind == TG_NUM_I64) {
        *out = value->as.i64;
        return true;
    }
    if (value->number_kind == TG_NUM_U64 && value->as.u64 <= (uint64_t)INT64_MAX) {
        *out = (int64_t)value->as.u64;
        return true;
    }
    return false;
}

tg_str tg_json_str(const tg_json *value) {
    if (value == NULL || value->type != TG_JSON_STRING) {
        return TG_NONE;
    }
    return value->as.string;
}

size_t tg_json_len(const tg_json *value) {
    if (value == NULL) {
        return 0;
    }
    if (value->type == TG_JSON_ARRAY) {
        return value->as.array.len;
    }
    if (value->type == TG_JSON_OBJECT) {
        return value->as.object.len;
    }
    return 0;
}

tg_json *tg_json_at(const tg_json *array, size_t index) {
    if (array == NULL || array->type != TG_JSON_ARRAY || index >= array->as.array.len) {
        return NULL;
    }
    return array->as.array.items[index];
}

tg_str tg_json_key_at(const tg_json *object, size_t index) {
    if (object == NULL || object->type != TG_JSON_OBJECT || index >= object->as.object.len) {
        return TG_NONE;
    }
    return object->as.object.items[index].key;
}

tg_json *tg_json_value_at(const tg_json *object, size_t index) {
    if (object == NULL || object->type != TG_JSON_OBJECT || index >= object->as.object.len) {
        return NULL;
    }
    return object->as.object.items[index].value;
}

tg_json *tg_json_get_n(const tg_json *object, const char *key, size_t key_len) {
    tg_member *member = tg_json_member(object, key, key_len);
    return member == NULL ? NULL : member->value;
}

tg_json *tg_json_get(const tg_json *object, const char *key) {
    return tg_json_get_n(object, key, strlen(key));
}

tg_str tg_json_get_str(const tg_json *object, const char *key) {
    return tg_json_str(tg_json_get(object, key));
}

void tg_json_sort(tg_json *array, int (*compare)(const tg_json *a, const tg_json *b)) {
    if (array == NULL || array->type != TG_JSON_ARRAY || array->as.array.len < 2) {
        return;
    }
    /* A bottom-up merge sort: stable, like Rust's `sort_by`, which the Rust examples use. */
    size_t n = array->as.array.len;
    tg_json **from = array->as.array.items;
    tg_json **to = tg_alloc(n * sizeof(tg_json *));
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) {
                to[k++] = compare(from[j], from[i]) < 0 ? from[j++] : from[i++];
            }
            while (i < mid) {
                to[k++] = from[i++];
            }
            while (j < hi) {
                to[k++] = from[j++];
            }
        }
        tg_json **swap = from;
        from = to;
        to = swap;
    }
    if (from != array->as.array.items) {
        memcpy(array->as.array.items, from, n * sizeof(tg_json *));
    }
}

/* ---------------------------------------------------------------------------------- */
/* JSON writer (serde_json's compact `Serializer`)                                     */
/* ---------------------------------------------------------------------------------- */

/* serde_json's `ESCAPE` table: 'u' for \u00XX, a letter for a short escape, 0 for none. */
static char tg_json_escape_of(unsigned char c) {
    switch (c) {
    case '\b':
        return 'b';
    case '\t':
        return 't';
    case '\n':
        return 'n';
    case '\f':
        return 'f';
    case '\r':
        return 'r';
    case '"':
        return '"';
    case '\\':
        return '\\';
    default:
        return c < 0x20 ? 'u' : 0;
    }
}

static void tg_json_write_string(tg_buf *buf, const char *s, size_t len) {
    static const char hex[] = "0123456789abcdef";
    tg_buf_byte(buf, '"');
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        char escape = tg_json_escape_of((unsigned char)s[i]);
        if (escape == 0) {
            continue;
        }
        tg_buf_append(buf, s + run, i - run);
        run = i + 1;
        if (escape == 'u') {
            char seq[6] = {'\\', 'u', '0', '0', hex[(unsigned char)s[i] >> 4],
                           hex[(unsigned char)s[i] & 15]};
            tg_buf_append(buf, seq, 6);
        } else {
            char seq[2] = {'\\', escape};
            tg_buf_append(buf, seq, 2);
        }
    }
    tg_buf_append(buf, s + run, len - run);
    tg_buf_byte(buf, '"');
}

static void tg_write_u64(tg_buf *buf, uint64_t n) {
    char digits[24];
    size_t i = sizeof digits;
    do {
        digits[--i] = (char)('0' + n % 10);
        n /= 10;
    } while (n != 0);
    tg_buf_append(buf, digits + i, sizeof digits - i);
}

/* Whether the decimal `mantissa`e`exponent` reads back as `value`. */
static bool tg_f64_round_trips(uint64_t mantissa, int exponent, double value) {
    char text[48];
    snprintf(text, sizeof text, "%llue%d", (unsigned long long)mantissa, exponent);
    return strtod(text, NULL) == value;
}

/*
 * The shortest decimal `mantissa * 10^exponent` that reads back as `value` (> 0, finite),
 * the closest to it when several are as short: what zmij (serde_json's float printer)
 * computes. For each length, printf's correctly rounded digits are the closest candidate;
 * when they miss the rounding interval (asymmetric at powers of two), the neighbour on
 * the other side of `value` is the only other one that can hit it.
 */
static void tg_f64_shortest(double value, uint64_t *mantissa, int *exponent) {
    for (int digits = 1; digits <= 17; digits++) {
        char text[48];
        snprintf(text, sizeof text, "%.*e", digits - 1, value);
        /* `d.ddde±x`: the digits as an integer, and the exponent of its last digit. */
        uint64_t m = 0;
        const char *p = text;
        for (; *p != 'e'; p++) {
            if (*p >= '0' && *p <= '9') {
                m = m * 10 + (uint64_t)(*p - '0');
            }
        }
        int e = atoi(p + 1) - (digits - 1);
        if (tg_f64_round_trips(m, e, value)) {
            *mantissa = m;
            *exponent = e;
            return;
        }
        /* The neighbour on the other side of `value`. */
        char exact[48];
        snprintf(exact, sizeof exact, "%llue%d", (unsigned long long)m, e);
        uint64_t other = strtod(exact, NULL) > value ? m - 1 : m + 1;
        if (other != 0 && tg_f64_round_trips(other, e, value)) {
            *mantissa = other;
            *exponent = e;
            return;
        }
    }
    /* Unreachable: 17 significant digits always read back. */
    *mantissa = 0;
    *exponent = 0;
}

/*
 * The layout serde_json (1.0.150 and later, through the zmij crate) prints finite doubles
 * in: plain decimals when the first digit's exponent is within -5..=15 (`1000.0`, `0.5`,
 * `0.00001`), otherwise scientific with a signed exponent (`1e+16`, `1.5e-7`).
 */
static void tg_write_f64(tg_buf *buf, double value) {
    if (signbit(value)) {
        tg_buf_byte(buf, '-');
        value = -value;
    }
    if (value == 0) {
        tg_buf_puts(buf, "0.0");
        return;
    }
    uint64_t mantissa;
    int k;
    tg_f64_shortest(value, &mantissa, &k);
    while (mantissa % 10 == 0) {
        mantissa /= 10;
        k++;
    }
    char digits[24];
    int length = snprintf(digits, sizeof digits, "%llu", (unsigned long long)mantissa);
    int kk = length + k;
    if (0 <= k && kk <= 16) {
        tg_buf_append(buf, digits, (size_t)length);
        for (int i = length; i < kk; i++) {
            tg_buf_byte(buf, '0');
        }
        tg_buf_puts(buf, ".0");
    } else if (0 < kk && kk <= 16) {
        tg_buf_append(buf, digits, (size_t)kk);
        tg_buf_byte(buf, '.');
        tg_buf_append(buf, digits + kk, (size_t)(length - kk));
    } else if (-5 < kk && kk <= 0) {
        tg_buf_puts(buf, "0.");
        for (int i = kk; i < 0; i++) {
            tg_buf_byte(buf, '0');
        }
        tg_buf_append(buf, digits, (size_t)length);
    } else if (length == 1) {
        tg_buf_byte(buf, digits[0]);
        tg_buf_printf(buf, "e%+d", kk - 1);
    } else {
        tg_buf_byte(buf, digits[0]);
        tg_buf_byte(buf, '.');
        tg_buf_append(buf, digits + 1, (size_t)(length - 1));
        tg_buf_printf(buf, "e%+d", kk - 1);
    }
}

void tg_json_write_to(tg_buf *buf, const tg_json *value) {
    if (value == NULL) {
        tg_buf_puts(buf, "null");
        return;
    }
    switch (value->type) {
    case TG_JSON_NULL:
        tg_buf_puts(buf, "null");
        break;
    case TG_JSON_BOOL:
        tg_buf_puts(buf, value->as.boolean ? "true" : "false");
        break;
    case TG_JSON_NUMBER:
        if (value->number_kind == TG_NUM_U64) {
            tg_write_u64(buf, value->as.u64);
        } else if (value->number_kind == TG_NUM_I64) {
            tg_buf_byte(buf, '-');
            tg_write_u64(buf, (uint64_t)0 - (uint64_t)value->as.i64);
        } else {
            tg_write_f64(buf, value->as.f64);
        }
        break;
    case TG_JSON_STRING:
        tg_json_write_string(buf, value->as.string.ptr, value->as.string.len);
        break;
    case TG_JSON_ARRAY:
        tg_buf_byte(buf, '[');
        for (size_t i = 0; i < value->as.array.len; i++) {
            if (i > 0) {
                tg_buf_byte(buf, ',');
            }
            tg_json_write_to(buf, value->as.array.items[i]);
        }
        tg_buf_byte(buf, ']');
        break;
    case TG_JSON_OBJECT:
        tg_buf_byte(buf, '{');
        for (size_t i = 0; i < value->as.object.len; i++) {
            const tg_member *member = &value->as.object.items[i];
            if (i > 0) {
                tg_buf_byte(buf, ',');
            }
            tg_json_write_string(buf, member->key.ptr, member->key.len);
            tg_buf_byte(buf, ':');
            tg_json_write_to(buf, member->value);
        }
        tg_buf_byte(buf, '}');
        break;
    }
}

tg_str tg_json_write(const tg_json *value) {
    tg_buf buf = {0};
    tg_json_write_to(&buf, value);
    return tg_buf_str(&buf);
}

/* ---------------------------------------------------------------------------------- */
/* JSON reader (serde_json's `Deserializer<SliceRead>` deserializing a `Value`)        */
/* ---------------------------------------------------------------------------------- */

typedef struct tg_parser {
    const unsigned char *s;
    size_t len;
    size_t i;
    /* serde_json's `remaining_depth`: 128, one less per array or object being read. */
    int depth;
    /* Where the digits of the number being read start (after any `-`). */
    size_t number_start;
    const char *error;
} tg_parser;

static const char EOF_LIST[] = "EOF while parsing a list";
static const char EOF_OBJECT[] = "EOF while parsing an object";
static const char EOF_STRING[] = "EOF while parsing a string";
static const char EOF_VALUE[] = "EOF while parsing a value";
static const char EXPECTED_COLON[] = "expected `:`";
static const char EXPECTED_LIST_COMMA_OR_END[] = "expected `,` or `]`";
static const char EXPECTED_OBJECT_COMMA_OR_END[] = "expected `,` or `}`";
static const char EXPECTED_IDENT[] = "expected ident";
static const char EXPECTED_VALUE[] = "expected value";
static const char INVALID_ESCAPE[] = "invalid escape";
static const char INVALID_NUMBER[] = "invalid number";
static const char NUMBER_OUT_OF_RANGE[] = "number out of range";
static const char INVALID_UNICODE[] = "invalid unicode code point";
static const char CONTROL_CHARACTER[] =
    "control character (\\u0000-\\u001F) found while parsing a string";
static const char KEY_MUST_BE_A_STRING[] = "key must be a string";
static const char LONE_SURROGATE[] = "lone leading surrogate in hex escape";
static const char TRAILING_COMMA[] = "trailing comma";
static const char TRAILING_CHARACTERS[] = "trailing characters";
static const char UNEXPECTED_END_OF_HEX_ESCAPE[] = "unexpected end of hex escape";
static const char RECURSION_LIMIT[] = "recursion limit exceeded";

/* `SliceRead::position_of_index`, and serde_json's "{code} at line {l} column {c}". */
static void tg_parse_error_at(tg_parser *p, size_t index, size_t column_less, const char *code) {
    size_t line = 1, start_of_line = 0;
    for (size_t k = 0; k < index; k++) {
        if (p->s[k] == '\n') {
            line++;
            start_of_line = k + 1;
        }
    }
    size_t column = index - start_of_line;
    column = column > column_less ? column - column_less : 0;
    p->error = tg_sprintf("%s at line %zu column %zu", code, line, column).ptr;
}

/* `Deserializer::error`: at the current index (after the byte just read). */
static void *tg_err(tg_parser *p, const char *code) {
    tg_parse_error_at(p, p->i, 0, code);
    return NULL;
}

/* `Deserializer::peek_error`: one past the current index (the byte peeked at). */
static void *tg_peek_err(tg_parser *p, const char *code) {
    tg_parse_error_at(p, p->i + 1 < p->len ? p->i + 1 : p->len, 0, code);
    return NULL;
}

/* `peek`: the next byte or -1 at the end. */
static int tg_peek(const tg_parser *p) {
    return p->i < p->len ? p->s[p->i] : -1;
}

/* `peek_or_null`: the end reads as a NUL byte. */
static int tg_peek_or_null(const tg_parser *p) {
    return p->i < p->len ? p->s[p->i] : 0;
}

static bool tg_is_digit(int c) {
    return c >= '0' && c <= '9';
}

/* `parse_whitespace`. */
static int tg_skip_ws(tg_parser *p) {
    while (p->i < p->len) {
        unsigned char c = p->s[p->i];
        if (c != ' ' && c != '\n' && c != '\t' && c != '\r') {
            return c;
        }
        p->i++;
    }
    return -1;
}


static tg_json *tg_number_f64(double f) {
    tg_json *value = tg_json_alloc(TG_JSON_NUMBER);
    value->number_kind = TG_NUM_F64;
    value->as.f64 = f;
    return value;
}

/* `f64_from_parts` with `float_roundtrip` (as the Rust SDK builds serde_json): the double
 * nearest to the number's whole text, which wasi-libc's strtod rounds correctly. The lexer
 * has already checked the text, so only infinity is left to refuse. */
static tg_json *tg_f64_from_parts(tg_parser *p, bool positive) {
    size_t length = p->i - p->number_start;
    /* The input is not NUL-terminated; the copy lives in the call's arena. */
    char *text = tg_alloc(length + 1);
    memcpy(text, p->s + p->number_start, length);
    text[length] = '\0';
    double f = strtod(text, NULL);
    if (isinf(f)) {
        return tg_err(p, NUMBER_OUT_OF_RANGE);
    }
    return tg_number_f64(positive ? f : -f);
}

static bool tg_u64_overflows(uint64_t a, uint64_t digit) {
    return a >= UINT64_MAX / 10 && (a > UINT64_MAX / 10 || digit > UINT64_MAX % 10);
}

/* `parse_exponent_overflow`. */
static tg_json *tg_parse_exponent_overflow(tg_parser *p, bool positive, bool zero_significand,
                                           bool positive_exp) {
    if (!zero_significand && positive_exp) {
        return tg_err(p, NUMBER_OUT_OF_RANGE);
    }
    while (tg_is_digit(tg_peek_or_null(p))) {
        p->i++;
    }
    return tg_number_f64(positive ? 0.0 : -0.0);
}

/* `parse_exponent`. */
static tg_json *tg_parse_exponent(tg_parser *p, bool positive, uint64_t significand) {
    p->i++;
    bool positive_exp = true;
    int c = tg_peek_or_null(p);
    if (c == '+') {
        p->i++;
    } else if (c == '-') {
        p->i++;
        positive_exp = false;
    }
    if (p->i >= p->len) {
        return tg_err(p, EOF_VALUE);
    }
    c = p->s[p->i++];
    if (!tg_is_digit(c)) {
        return tg_err(p, INVALID_NUMBER);
    }
    int32_t exp = c - '0';
    while (tg_is_digit(tg_peek_or_null(p))) {
        int32_t digit = p->s[p->i] - '0';
        p->i++;
        if (exp >= INT32_MAX / 10 && (exp > INT32_MAX / 10 || digit > INT32_MAX % 10)) {
            return tg_parse_exponent_overflow(p, positive, significand == 0, positive_exp);
        }
        exp = exp * 10 + digit;
    }
    return tg_f64_from_parts(p, positive);
}

/* `parse_decimal_overflow`: digits past what a u64 holds still count (in the text). */
static tg_json *tg_parse_decimal_overflow(tg_parser *p, bool positive, uint64_t significand) {
    while (tg_is_digit(tg_peek_or_null(p))) {
        p->i++;
    }
    int c = tg_peek_or_null(p);
    if (c == 'e' || c == 'E') {
        return tg_parse_exponent(p, positive, significand);
    }
    return tg_f64_from_parts(p, positive);
}

/* `parse_decimal`. */
static tg_json *tg_parse_decimal(tg_parser *p, bool positive, uint64_t significand) {
    p->i++;
    bool any_digit = false;
    while (tg_is_digit(tg_peek_or_null(p))) {
        uint64_t digit = (uint64_t)(p->s[p->i] - '0');
        if (tg_u64_overflows(significand, digit)) {
            return tg_parse_decimal_overflow(p, positive, significand);
        }
        p->i++;
        significand = significand * 10 + digit;
        any_digit = true;
    }
    if (!any_digit) {
        return tg_peek(p) >= 0 ? tg_peek_err(p, INVALID_NUMBER) : tg_peek_err(p, EOF_VALUE);
    }
    int c = tg_peek_or_null(p);
    if (c == 'e' || c == 'E') {
        return tg_parse_exponent(p, positive, significand);
    }
    return tg_f64_from_parts(p, positive);
}

/* `parse_long_integer`: an integer too long for a u64 becomes a double. */
static tg_json *tg_parse_long_integer(tg_parser *p, bool positive, uint64_t significand) {
    for (;;) {
        int c = tg_peek_or_null(p);
        if (tg_is_digit(c)) {
            p->i++;
        } else if (c == '.') {
            return tg_parse_decimal(p, positive, significand);
        } else if (c == 'e' || c == 'E') {
            return tg_parse_exponent(p, positive, significand);
        } else {
            return tg_f64_from_parts(p, positive);
        }
    }
}

/* `parse_number`. */
static tg_json *tg_parse_number(tg_parser *p, bool positive, uint64_t significand) {
    int c = tg_peek_or_null(p);
    if (c == '.') {
        return tg_parse_decimal(p, positive, significand);
    }
    if (c == 'e' || c == 'E') {
        return tg_parse_exponent(p, positive, significand);
    }
    if (positive) {
        return tg_json_new_u64(significand);
    }
    /* Wrapping negation, as Rust's `wrapping_neg`: -0 and too-negative values are doubles. */
    int64_t negative = (int64_t)((uint64_t)0 - significand);
    if (negative >= 0) {
        return tg_number_f64(-(double)significand);
    }
    tg_json *value = tg_json_alloc(TG_JSON_NUMBER);
    value->number_kind = TG_NUM_I64;
    value->as.i64 = negative;
    return value;
}

/* `parse_integer`. */
static tg_json *tg_parse_integer(tg_parser *p, bool positive) {
    p->number_start = p->i;
    if (p->i >= p->len) {
        return tg_err(p, EOF_VALUE);
    }
    int c = p->s[p->i++];
    if (c == '0') {
        if (tg_is_digit(tg_peek_or_null(p))) {
            return tg_peek_err(p, INVALID_NUMBER);
        }
        return tg_parse_number(p, positive, 0);
    }
    if (c >= '1' && c <= '9') {
        uint64_t significand = (uint64_t)(c - '0');
        for (;;) {
            int next = tg_peek_or_null(p);
            if (!tg_is_digit(next)) {
                return tg_parse_number(p, positive, significand);
            }
            uint64_t digit = (uint64_t)(next - '0');
            if (tg_u64_overflows(significand, digit)) {
                return tg_parse_long_integer(p, positive, significand);
            }
            p->i++;
            significand = significand * 10 + digit;
        }
    }
    return tg_err(p, INVALID_NUMBER);
}

/* `parse_ident`: the rest of `null`, `true` or `false`. */
static bool tg_parse_ident(tg_parser *p, const char *rest) {
    for (; *rest != '\0'; rest++) {
        if (p->i >= p->len) {
            tg_err(p, EOF_VALUE);
            return false;
        }
        if (p->s[p->i++] != (unsigned char)*rest) {
            tg_err(p, EXPECTED_IDENT);
            return false;
        }
    }
    return true;
}

static int tg_hex_value(unsigned char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* `SliceRead::decode_hex_escape`. */
static bool tg_decode_hex_escape(tg_parser *p, uint32_t *n) {
    if (p->len - p->i < 4) {
        p->i = p->len;
        tg_err(p, EOF_STRING);
        return false;
    }
    uint32_t value = 0;
    bool valid = true;
    for (int k = 0; k < 4; k++) {
        int h = tg_hex_value(p->s[p->i + (size_t)k]);
        valid = valid && h >= 0;
        value = value << 4 | (uint32_t)(h < 0 ? 0 : h);
    }
    p->i += 4;
    if (!valid) {
        tg_err(p, INVALID_ESCAPE);
        return false;
    }
    *n = value;
    return true;
}

static void tg_push_utf8(tg_buf *out, uint32_t c) {
    char bytes[4];
    size_t n;
    if (c < 0x80) {
        bytes[0] = (char)c;
        n = 1;
    } else if (c < 0x800) {
        bytes[0] = (char)(0xC0 | (c >> 6));
        bytes[1] = (char)(0x80 | (c & 0x3F));
        n = 2;
    } else if (c < 0x10000) {
        bytes[0] = (char)(0xE0 | (c >> 12));
        bytes[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        bytes[2] = (char)(0x80 | (c & 0x3F));
        n = 3;
    } else {
        bytes[0] = (char)(0xF0 | (c >> 18));
        bytes[1] = (char)(0x80 | ((c >> 12) & 0x3F));
        bytes[2] = (char)(0x80 | ((c >> 6) & 0x3F));
        bytes[3] = (char)(0x80 | (c & 0x3F));
        n = 4;
    }
    tg_buf_append(out, bytes, n);
}

/* `parse_unicode_escape` (validating: surrogates must pair). */
static bool tg_parse_unicode_escape(tg_parser *p, tg_buf *out) {
    uint32_t n;
    if (!tg_decode_hex_escape(p, &n)) {
        return false;
    }
    if (n >= 0xDC00 && n <= 0xDFFF) {
        tg_err(p, LONE_SURROGATE);
        return false;
    }
    if (n < 0xD800 || n > 0xDBFF) {
        tg_push_utf8(out, n);
        return true;
    }
    for (int k = 0; k < 2; k++) {
        int expected = k == 0 ? '\\' : 'u';
        if (p->i >= p->len) {
            tg_err(p, EOF_STRING);
            return false;
        }
        bool matches = p->s[p->i] == expected;
        p->i++;
        if (!matches) {
            tg_err(p, UNEXPECTED_END_OF_HEX_ESCAPE);
            return false;
        }
    }
    uint32_t n2;
    if (!tg_decode_hex_escape(p, &n2)) {
        return false;
    }
    if (n2 < 0xDC00 || n2 > 0xDFFF) {
        tg_err(p, LONE_SURROGATE);
        return false;
    }
    tg_push_utf8(out, (((n - 0xD800) << 10) | (n2 - 0xDC00)) + 0x10000);
    return true;
}

/* `SliceRead::parse_str` after the opening quote, then `as_str`'s UTF-8 check. */
static bool tg_parse_string(tg_parser *p, tg_str *result) {
    size_t start = p->i;
    tg_buf scratch = {0};
    bool escaped = false;
    for (;;) {
        while (p->i < p->len) {
            unsigned char c = p->s[p->i];
            if (c == '"' || c == '\\' || c < 0x20) {
                break;
            }
            p->i++;
        }
        if (p->i == p->len) {
            tg_err(p, EOF_STRING);
            return false;
        }
        unsigned char c = p->s[p->i];
        if (c == '"') {
            const char *text;
            size_t len;
            if (!escaped) {
                text = (const char *)p->s + start;
                len = p->i - start;
            } else {
                tg_buf_append(&scratch, p->s + start, p->i - start);
                text = scratch.ptr;
                len = scratch.len;
            }
            p->i++;
            size_t valid = tg_utf8_valid_up_to((const unsigned char *)text, len);
            if (valid != len) {
                tg_parse_error_at(p, p->i, len - valid, INVALID_UNICODE);
                return false;
            }
            *result = escaped ? tg_buf_str(&scratch) : tg_str_copy(text, len);
            return true;
        }
        if (c == '\\') {
            escaped = true;
            tg_buf_append(&scratch, p->s + start, p->i - start);
            p->i++;
            if (p->i >= p->len) {
                tg_err(p, EOF_STRING);
                return false;
            }
            unsigned char e = p->s[p->i++];
            switch (e) {
            case '"':
                tg_buf_byte(&scratch, '"');
                break;
            case '\\':
                tg_buf_byte(&scratch, '\\');
                break;
            case '/':
                tg_buf_byte(&scratch, '/');
                break;
            case 'b':
                tg_buf_byte(&scratch, '\b');
                break;
            case 'f':
                tg_buf_byte(&scratch, '\f');
                break;
            case 'n':
                tg_buf_byte(&scratch, '\n');
                break;
            case 'r':
                tg_buf_byte(&scratch, '\r');
                break;
            case 't':
                tg_buf_byte(&scratch, '\t');
                break;
            case 'u':
                if (!tg_parse_unicode_escape(p, &scratch)) {
                    return false;
                }
                break;
            default:
                tg_err(p, INVALID_ESCAPE);
                return false;
            }
            start = p->i;
            continue;
        }
        p->i++;
        tg_err(p, CONTROL_CHARACTER);
        return false;
    }
}

/* `deserialize_any` into a `Value`. */
static tg_json *tg_parse_value(tg_parser *p) {
    int c = tg_skip_ws(p);
    if (c < 0) {
        return tg_peek_err(p, EOF_VALUE);
    }
    switch (c) {
    case 'n':
        p->i++;
        return tg_parse_ident(p, "ull") ? tg_json_null() : NULL;
    case 't':
        p->i++;
        return tg_parse_ident(p, "rue") ? tg_json_new_bool(true) : NULL;
    case 'f':
        p->i++;
        return tg_parse_ident(p, "alse") ? tg_json_new_bool(false) : NULL;
    case '-':
        p->i++;
        return tg_parse_integer(p, false);
    case '"': {
        p->i++;
        tg_str s;
        if (!tg_parse_string(p, &s)) {
            return NULL;
        }
        tg_json *value = tg_json_alloc(TG_JSON_STRING);
        value->as.string = s;
        return value;
    }
    case '[': {
        if (--p->depth == 0) {
            return tg_peek_err(p, RECURSION_LIMIT);
        }
        p->i++;
        tg_json *array = tg_json_new_array();
        for (bool first = true;; first = false) {
            int next = tg_skip_ws(p);
            if (next < 0) {
                return tg_peek_err(p, EOF_LIST);
            }
            if (next == ']') {
                break;
            }
            if (!first) {
                if (next != ',') {
                    return tg_peek_err(p, EXPECTED_LIST_COMMA_OR_END);
                }
                p->i++;
                next = tg_skip_ws(p);
                if (next == ']') {
                    return tg_peek_err(p, TRAILING_COMMA);
                }
                if (next < 0) {
                    return tg_peek_err(p, EOF_VALUE);
                }
            }
            tg_json *element = tg_parse_value(p);
            if (element == NULL) {
                return NULL;
            }
            tg_json_push(array, element);
        }
        p->depth++;
        p->i++;
        return array;
    }
    case '{': {
        if (--p->depth == 0) {
            return tg_peek_err(p, RECURSION_LIMIT);
        }
        p->i++;
        tg_json *object = tg_json_new_object();
        for (bool first = true;; first = false) {
            int next = tg_skip_ws(p);
            if (next < 0) {
                return tg_peek_err(p, EOF_OBJECT);
            }
            if (next == '}') {
                break;
            }
            if (first) {
                if (next != '"') {
                    return tg_peek_err(p, KEY_MUST_BE_A_STRING);
                }
            } else {
                if (next != ',') {
                    return tg_peek_err(p, EXPECTED_OBJECT_COMMA_OR_END);
                }
                p->i++;
                next = tg_skip_ws(p);
                if (next == '}') {
                    return tg_peek_err(p, TRAILING_COMMA);
                }
                if (next < 0) {
                    return tg_peek_err(p, EOF_VALUE);
                }
                if (next != '"') {
                    return tg_peek_err(p, KEY_MUST_BE_A_STRING);
                }
            }
            p->i++;
            tg_str key;
            if (!tg_parse_string(p, &key)) {
                return NULL;
            }
            int colon = tg_skip_ws(p);
            if (colon < 0) {
                return tg_peek_err(p, EOF_OBJECT);
            }
            if (colon != ':') {
                return tg_peek_err(p, EXPECTED_COLON);
            }
            p->i++;
            tg_json *value = tg_parse_value(p);
            if (value == NULL) {
                return NULL;
            }
            tg_json_insert(object, key, value);
        }
        p->depth++;
        p->i++;
        return object;
    }
    default:
        if (tg_is_digit(c)) {
            return tg_parse_integer(p, true);
        }
        return tg_peek_err(p, EXPECTED_VALUE);
    }
}

tg_json *tg_json_parse(const void *text, size_t len, const char **error) {
    tg_parser p = {.s = text, .len = len, .depth = 128};
    tg_json *value = tg_parse_value(&p);
    /* `Deserializer::end`: only white space may follow. */
    if (value != NULL && tg_skip_ws(&p) >= 0) {
        value = tg_peek_err(&p, TRAILING_CHARACTERS);
    }
    if (value == NULL && error != NULL) {
        *error = p.error;
    }
    return value;
}
