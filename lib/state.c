// SPDX-License-Identifier: GPL-2.0-only
/* The state directory and atomic file writes; see state.h. */
#include "internal.h"
#include "state.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

int qs__state_path(qs_buf *out, const char *common_dir, const char *leaf)
{
	size_t len = strlen(common_dir);

	qs_buf_clear(out);
	qs_buf_addf(out, "%s%squiltsync%s%s", common_dir,
		    len && common_dir[len - 1] == '/' ? "" : "/",
		    *leaf ? "/" : "", leaf);
	return qs_buf_oom(out) ? QS_ENOMEM : 0;
}

int qs__state_dir_create(const char *common_dir)
{
	qs_buf dir = QS_BUF_INIT;
	int ret;

	if ((ret = qs__state_path(&dir, common_dir, "")) == 0 &&
	    mkdir(dir.ptr, 0777) < 0 && errno != EEXIST)
		ret = qs__error_os("cannot create the directory", dir.ptr);
	qs_buf_release(&dir);
	return ret;
}

int qs__sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int ret = 0;

	if (fd < 0)
		return qs__error_os("cannot open the directory", dir);
	if (fsync(fd) < 0)
		ret = qs__error_os("cannot sync the directory", dir);
	close(fd);
	return ret;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/*
 * The temporary file: "<path>.new", or, for writers that hold no lock,
 * one of the writer's own, read-only as the copy it becomes is never
 * edited in place.
 */
static int create_temporary(qs_buf *tmp, const char *path, bool own)
{
	int fd;

	qs_buf_addf(tmp, own ? "%s.XXXXXX" : "%s.new", path);
	if (qs_buf_oom(tmp))
		return QS_ENOMEM;
	if (!own)
		fd = open(tmp->ptr, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	else if ((fd = mkostemp(tmp->ptr, O_CLOEXEC)) >= 0 && fchmod(fd, 0444) < 0) {
		int err = errno;

		close(fd);
		unlink(tmp->ptr);
		errno = err;
		fd = -1;
	}
	return fd < 0 ? qs__error_os("cannot create", tmp->ptr) : fd;
}

static int write_atomic(const char *path, const char *data, size_t len, bool own)
{
	qs_buf tmp = QS_BUF_INIT, dir = QS_BUF_INIT;
	const char *slash = strrchr(path, '/');
	bool created = false;
	int fd = -1, ret = 0;

	if (slash)
		qs_buf_add(&dir, path, slash == path ? 1 : (size_t)(slash - path));
	else
		qs_buf_addch(&dir, '.');
	if (qs_buf_oom(&dir)) {
		ret = QS_ENOMEM;
		goto done;
	}
	if ((fd = create_temporary(&tmp, path, own)) < 0) {
		ret = fd;
		goto done;
	}
	created = true;
	if (write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		ret = qs__error_os("cannot write", tmp.ptr);
		goto done;
	}
	ret = close(fd);
	fd = -1;
	if (ret < 0) {
		ret = qs__error_os("cannot write", tmp.ptr);
		goto done;
	}
	if (rename(tmp.ptr, path) < 0) {
		ret = qs__error_os("cannot rename into place", path);
		goto done;
	}
	created = false;
	ret = qs__sync_dir(dir.ptr);
done:
	if (fd >= 0)
		close(fd);
	if (created)
		unlink(tmp.ptr);
	qs_buf_release(&tmp);
	qs_buf_release(&dir);
	return ret;
}

int qs__write_atomic(const char *path, const char *data, size_t len)
{
	return write_atomic(path, data, len, false);
}

int qs__write_atomic_unlocked(const char *path, const char *data, size_t len)
{
	return write_atomic(path, data, len, true);
}
