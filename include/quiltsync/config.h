/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * quiltsync: the build's configuration, quiltsync.yaml.
 *
 * The file says where the queue and the repository are, which branches
 * to make from which sections of the series file, and how. Its syntax
 * and every key are in quiltsync.yaml(5). A config is read whole and
 * checked whole before anything runs: unknown keys, wrong types,
 * missing required keys and references to branches that do not exist
 * are QS_ECONFIG errors naming "file:line:column" and the key path
 * ("quiltsync.yaml:12:5: branches[2].mode: expected rebuild or append,
 * got 'apend'").
 */
#ifndef QUILTSYNC_CONFIG_H
#define QUILTSYNC_CONFIG_H

#include "common.h"
#include "series.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct qs_config qs_config;

/** The name looked for in the current directory when none is given. */
#define QS_CONFIG_DEFAULT_NAME "quiltsync.yaml"

/**
 * Read and check the config file at `path`. Relative paths inside it
 * are taken relative to the file's directory. QS_ENOTFOUND when the
 * file does not exist, QS_EIO when it cannot be read, QS_ECONFIG when
 * it is not valid.
 */
QS_EXTERN(int) qs_config_load(qs_config **out, const char *path);

/**
 * Check a config held in `buf` (copied). `path` names it in errors and
 * anchors its relative paths (its directory; NULL: the current one).
 */
QS_EXTERN(int) qs_config_parse(qs_config **out, const char *buf, size_t len,
			       const char *path);

QS_EXTERN(void) qs_config_free(qs_config *config);

/** The path given to qs_config_load/parse, or NULL. */
QS_EXTERN(const char *) qs_config_path(const qs_config *config);

/**
 * The repository branches are written to, the series file, the patches
 * directory and the directory of recorded conflict resolutions, each
 * resolved against the config file's directory.
 */
QS_EXTERN(const char *) qs_config_repository(const qs_config *config);
QS_EXTERN(const char *) qs_config_series(const qs_config *config);
QS_EXTERN(const char *) qs_config_patches(const qs_config *config);
QS_EXTERN(const char *) qs_config_resolutions(const qs_config *config);

/**
 * How the series file marks its sections, for qs_series_options.convention:
 * the `sections` key (QS_SERIES_BRANCH when the file has none, or for NULL).
 */
QS_EXTERN(qs_series_convention) qs_config_convention(const qs_config *config);

/**
 * The series entries that stand for refs, NULL-terminated, for
 * qs_series_options.placeholders: the config's, or akpm's six when it
 * names none.
 */
QS_EXTERN(const char *const *) qs_config_placeholders(const qs_config *config);

#ifdef __cplusplus
}
#endif

#endif
