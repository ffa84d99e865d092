/* SPDX-License-Identifier: GPL-2.0-only */
/* quiltsync: the whole public API. See quiltsync/common.h for conventions. */
#ifndef QUILTSYNC_H
#define QUILTSYNC_H

#include "quiltsync/common.h"
#include "quiltsync/mail.h"
#include "quiltsync/diff.h"
#include "quiltsync/series.h"
#include "quiltsync/queue.h"
#include "quiltsync/apply.h"
#include "quiltsync/config.h"
#include "quiltsync/build.h"
#include "quiltsync/manifest.h"
#include "quiltsync/publish.h"

#endif
