/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Functions that invite buffer overflows or hidden global state. Using one
 * is a compile error; use qs_buf (buf.h) or the bounded alternatives.
 * Included last by internal.h, after every system header.
 */
#ifndef QS_BANNED_H
#define QS_BANNED_H

#define QS_BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) QS_BANNED(strcpy)
#undef strcat
#define strcat(x, y) QS_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) QS_BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) QS_BANNED(strncat)
#undef strtok
#define strtok(x, y) QS_BANNED(strtok)
#undef sprintf
#define sprintf(...) QS_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) QS_BANNED(vsprintf)
#undef gmtime
#define gmtime(t) QS_BANNED(gmtime)
#undef localtime
#define localtime(t) QS_BANNED(localtime)
#undef ctime
#define ctime(t) QS_BANNED(ctime)
#undef asctime
#define asctime(t) QS_BANNED(asctime)

#endif
