/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * quiltsync: email patches.
 *
 * qs_mail reads one patch file or mail the way `git mailinfo -u` does and
 * keeps what git am would commit: author, date, subject, message, and the
 * patch text. The fields named "as git mailinfo" are byte-identical to
 * what `git mailinfo -u msg patch <mail >info` writes; the rest is what
 * quiltsync derives from them (trailers, series markers, fallbacks).
 *
 * qs_mbox splits an mbox into messages.
 */
#ifndef QUILTSYNC_MAIL_H
#define QUILTSYNC_MAIL_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct qs_mail qs_mail;

/** Flags of qs_mail_options, named after git mailinfo's options. */
typedef enum {
	/** -k: keep the subject as it is, no "[PATCH]" or "Re:" removal */
	QS_MAIL_KEEP_SUBJECT = 1u << 0,
	/** -b: remove only bracketed text that contains "PATCH" */
	QS_MAIL_KEEP_NON_PATCH = 1u << 1,
	/** --scissors: drop the body above a "-- >8 --" scissors line */
	QS_MAIL_SCISSORS = 1u << 2,
	/** --no-inbody-headers: ignore From:/Subject:/Date: at body start */
	QS_MAIL_NO_INBODY_HEADERS = 1u << 3,
	/** --message-id: append "Message-ID: <...>" to the message */
	QS_MAIL_MESSAGE_ID = 1u << 4,
	/**
	 * Exactly git mailinfo, nothing more: no fallback for a missing
	 * author or subject (see qs_mail_origin). For parity tests.
	 */
	QS_MAIL_STRICT = 1u << 5,
} qs_mail_flag;

typedef struct {
	unsigned int version; /**< QS_MAIL_OPTIONS_VERSION */
	unsigned int flags;   /**< qs_mail_flag bits */
	/**
	 * Name of the file the mail came from, used in error messages and,
	 * unless QS_MAIL_STRICT, to give a subject to a patch that has none
	 * (its base name without ".patch"/".diff" and compression suffix).
	 * May be NULL. Copied.
	 */
	const char *name;
} qs_mail_options;

#define QS_MAIL_OPTIONS_VERSION 1
#define QS_MAIL_OPTIONS_INIT { QS_MAIL_OPTIONS_VERSION, 0, NULL }

/**
 * Parse one message. `buf` need not be NUL-terminated and may hold NUL
 * bytes; it is copied. A leading mbox "From " line is skipped. A mail with
 * no patch parses, with an empty qs_mail_patch().
 *
 * With QS_MAIL_STRICT, returns QS_EPARSE for exactly the input git
 * mailinfo rejects (exit status 1): nothing but white space ("empty
 * patch"), an RFC 2047 word it cannot decode, a charset iconv cannot
 * convert from, a NUL byte in From/Subject/Date, more than four nested
 * multipart boundaries. Without it these parse, each with a warning
 * logged: an empty input is an empty mail, an undecodable word or charset
 * keeps its bytes, a NUL cuts the value, an extra boundary is ignored.
 */
QS_EXTERN(int) qs_mail_parse(qs_mail **out, const char *buf, size_t len,
			     const qs_mail_options *opts);

/** Release a mail. NULL-safe. */
QS_EXTERN(void) qs_mail_free(qs_mail *mail);

/** Author name as git mailinfo prints it ("Author: "). Never NULL. */
QS_EXTERN(const char *) qs_mail_author_name(const qs_mail *mail);

/** Author email as git mailinfo prints it ("Email: "). Never NULL. */
QS_EXTERN(const char *) qs_mail_author_email(const qs_mail *mail);

/** The Date text as git mailinfo prints it ("Date: "), "" when none. */
QS_EXTERN(const char *) qs_mail_date(const qs_mail *mail);

/**
 * The date as git would record it: seconds since the epoch and the
 * offset east of UTC in minutes, parsed from qs_mail_date() with git's
 * rules. QS_ENOTFOUND when the mail has no date, QS_EPARSE when git would
 * reject it ("invalid date format").
 */
QS_EXTERN(int) qs_mail_time(int64_t *out_seconds, int *out_offset_minutes,
			    const qs_mail *mail);

/** The subject after clean-up, as git mailinfo prints it. Never NULL. */
QS_EXTERN(const char *) qs_mail_subject(const qs_mail *mail);

/** The subject before clean-up, decoded to UTF-8 and unfolded. */
QS_EXTERN(const char *) qs_mail_raw_subject(const qs_mail *mail);

/**
 * The message body exactly as git mailinfo writes its `msg` file, and its
 * length (it may hold NUL bytes, as that file may). `out_len` may be NULL.
 */
QS_EXTERN(const char *) qs_mail_body(const qs_mail *mail, size_t *out_len);

/**
 * The commit message exactly as git am writes it: subject, blank line,
 * body, with git's whitespace clean-up (strbuf_stripspace) and the
 * Latin-1 reading of bytes that are not UTF-8 which git's commit applies.
 * git am refuses a message with a NUL byte; here NUL bytes are dropped.
 * With fallbacks (see qs_mail_origin), their subject and body. Never NULL.
 */
QS_EXTERN(const char *) qs_mail_message(const qs_mail *mail);

/**
 * The patch part exactly as git mailinfo writes its `patch` file, and its
 * length (it may hold NUL bytes). Empty when the mail has no patch.
 */
QS_EXTERN(const char *) qs_mail_patch(const qs_mail *mail, size_t *out_len);

/**
 * 1-based line of the input where the patch part starts, 0 when there is
 * none. Lets diff errors point into the original file. In a
 * quoted-printable or base64 body, the encoded line that holds the first
 * byte of the patch's first decoded line.
 */
QS_EXTERN(size_t) qs_mail_patch_line(const qs_mail *mail);

/** The Message-ID header without angle brackets, or NULL. */
QS_EXTERN(const char *) qs_mail_message_id(const qs_mail *mail);

/** A trailer line of the message ("Signed-off-by: A <a@b>"). */
typedef struct {
	const char *key;   /**< as written, e.g. "Signed-off-by" */
	const char *value; /**< trimmed */
} qs_trailer;

/**
 * Number of trailers in the last paragraph of qs_mail_message(), as
 * `git interpret-trailers --parse` finds them: values unfolded.
 */
QS_EXTERN(size_t) qs_mail_trailer_count(const qs_mail *mail);

/** Trailer `i` (0-based, in order), or NULL when out of range. */
QS_EXTERN(const qs_trailer *) qs_mail_trailer_byindex(const qs_mail *mail,
						      size_t i);

/**
 * Message-ids named by "Link:" trailers whose URL has the form
 * ".../r/<msgid>" or ".../<list>/<msgid>" (lore, lkml.kernel.org), in
 * order, without angle brackets, %XX escapes decoded; what follows the id
 * ("/", "/T/#u") is ignored and an id without '@' is none.
 */
QS_EXTERN(size_t) qs_mail_link_count(const qs_mail *mail);
QS_EXTERN(const char *) qs_mail_link_byindex(const qs_mail *mail, size_t i);

/**
 * The bracketed subject prefix, parsed: "[RFC PATCH mm-unstable v3 2/7]"
 * gives version 3, index 2, total 7 and the words "RFC", "PATCH",
 * "mm-unstable". Version is 1 when the prefix names none, 0 when the
 * subject has no prefix; index and total are 0 when absent.
 */
QS_EXTERN(unsigned int) qs_mail_patch_version(const qs_mail *mail);
QS_EXTERN(unsigned int) qs_mail_patch_index(const qs_mail *mail);
QS_EXTERN(unsigned int) qs_mail_patch_total(const qs_mail *mail);
QS_EXTERN(size_t) qs_mail_prefix_count(const qs_mail *mail);
QS_EXTERN(const char *) qs_mail_prefix_byindex(const qs_mail *mail, size_t i);

/**
 * The title of a series cover letter quoted in the body, as akpm writes
 * it: `Patch series "<title>", vN.` gives "<title>" (NULL when absent)
 * and N (1 when there is no ", vN", 0 when there is no such line).
 */
QS_EXTERN(const char *) qs_mail_series_title(const qs_mail *mail);
QS_EXTERN(unsigned int) qs_mail_series_version(const qs_mail *mail);

/** N of a "This patch (of N):" line in the body, 0 when absent. */
QS_EXTERN(unsigned int) qs_mail_series_total(const qs_mail *mail);

/** Where a field of the mail came from; see qs_mail_origin(). */
typedef enum {
	QS_ORIGIN_NONE = 0,    /**< absent: git would fail or leave it empty */
	QS_ORIGIN_HEADER,      /**< the mail header */
	QS_ORIGIN_INBODY,      /**< an in-body header at the body's start */
	QS_ORIGIN_DEP3,        /**< a Debian DEP-3 field (Author, Description) */
	QS_ORIGIN_SIGNOFF,     /**< the first Signed-off-by trailer */
	QS_ORIGIN_FILENAME,    /**< the patch file's name */
} qs_mail_origin_kind;

typedef enum {
	QS_FIELD_AUTHOR,
	QS_FIELD_SUBJECT,
	QS_FIELD_DATE,
} qs_mail_field;

/**
 * Where `field` came from. Without QS_MAIL_STRICT, a mail that git would
 * leave without an author takes it from a DEP-3 "Author:"/"From:" field,
 * else from the first Signed-off-by; one with no subject takes the first
 * line of a DEP-3 "Description:"/"Subject:", else the file name. The
 * accessors above then return the fallback and this says so.
 *
 * DEP-3 fields count in the header block (where git reads and drops
 * them) and at the start of a line of the message, dpatch's "# DP: Name:"
 * included. A DEP-3 description's continuation lines become the first
 * paragraph of qs_mail_message(); taken from the header block, the other
 * DEP-3 fields git dropped there (Bug, Origin, Forwarded, Last-Update...)
 * end it, one per line. qs_mail_body() stays git's. An origin is
 * QS_ORIGIN_NONE when the field is absent or empty.
 */
QS_EXTERN(qs_mail_origin_kind) qs_mail_origin(const qs_mail *mail,
					      qs_mail_field field);

/** Splitting an mbox. */
typedef struct qs_mbox qs_mbox;

typedef enum {
	/** mboxrd: unescape ">From " lines (one '>' removed) */
	QS_MBOX_RD = 1u << 0,
} qs_mbox_flag;

/**
 * Open an mbox held in `buf` (copied). A buffer that does not start with
 * a "From " line is a single message.
 */
QS_EXTERN(int) qs_mbox_new(qs_mbox **out, const char *buf, size_t len,
			   unsigned int flags);

/**
 * The next message, without its "From " separator line. `*out_msg` is
 * borrowed from the mbox, valid until the next call or qs_mbox_free().
 * Returns QS_ITEROVER after the last one.
 */
QS_EXTERN(int) qs_mbox_next(const char **out_msg, size_t *out_len,
			    qs_mbox *mbox);

QS_EXTERN(void) qs_mbox_free(qs_mbox *mbox);

#ifdef __cplusplus
}
#endif

#endif
