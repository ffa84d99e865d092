/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The report of a publish: what became of each remote and each of its
 * refs, read through the accessors of publish.h, or as one JSON
 * document (quiltsync-publish(1), JSON OUTPUT).
 */
#include "internal.h"
#include "publish-internal.h"
#include "json-write.h"

#include <stdio.h>

static const char *const result_names[] = {
	"published", "unchanged", "rewrite", "lease", "failed",
};
static const char *const action_names[] = { "create", "update", "unchanged", "delete" };
static const char *const status_names[] = { "ok", "refused", "rejected", "not-sent" };

void qs__publish_remote_release(struct qs_publish_remote *r)
{
	for (size_t i = 0; i < r->nrefs; i++) {
		free(r->refs[i].name);
		free(r->refs[i].branch);
		free(r->refs[i].refspec);
		free(r->refs[i].lease);
		free(r->refs[i].reason);
	}
	free(r->refs);
	free(r->name);
	free(r->url);
	free(r->error);
	free(r->command);
}

void qs_publish_free(qs_publish *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nremotes; i++)
		qs__publish_remote_release(&p->remotes[i]);
	free(p->remotes);
	for (size_t i = 0; i < p->npruned; i++)
		free(p->pruned[i]);
	free(p->pruned);
	free(p);
}

size_t qs_publish_pruned_count(const qs_publish *p)
{
	return p ? p->npruned : 0;
}

const char *qs_publish_pruned(const qs_publish *p, size_t i)
{
	return p && i < p->npruned ? p->pruned[i] : NULL;
}

int qs_publish_dry_run(const qs_publish *p)
{
	return p ? p->dry_run : 0;
}

const char *qs_publish_manifest_id(const qs_publish *p)
{
	return p ? p->manifest : NULL;
}

size_t qs_publish_recovered_refs(const qs_publish *p)
{
	return p ? p->recovered : 0;
}

size_t qs_publish_remote_count(const qs_publish *p)
{
	return p ? p->nremotes : 0;
}

const qs_publish_remote *qs_publish_remote_byindex(const qs_publish *p, size_t i)
{
	return p && i < p->nremotes ? &p->remotes[i] : NULL;
}

const char *qs_publish_remote_name(const qs_publish_remote *r)
{
	return r ? r->name : NULL;
}

const char *qs_publish_remote_url(const qs_publish_remote *r)
{
	return r ? r->url : NULL;
}

qs_remote_result qs_publish_remote_result(const qs_publish_remote *r)
{
	return r ? r->result : QS_REMOTE_FAILED;
}

const char *qs_publish_remote_result_name(qs_remote_result result)
{
	if ((unsigned)result >= QS_ARRAY_SIZE(result_names))
		return NULL;
	return result_names[result];
}

const char *qs_publish_remote_error(const qs_publish_remote *r)
{
	return r ? r->error : NULL;
}

const char *qs_publish_remote_command(const qs_publish_remote *r)
{
	return r ? r->command : NULL;
}

size_t qs_publish_ref_count(const qs_publish_remote *r)
{
	return r ? r->nrefs : 0;
}

const qs_publish_ref *qs_publish_ref_byindex(const qs_publish_remote *r, size_t i)
{
	return r && i < r->nrefs ? &r->refs[i] : NULL;
}

const char *qs_publish_ref_name(const qs_publish_ref *ref)
{
	return ref ? ref->name : NULL;
}

qs_ref_action qs_publish_ref_action(const qs_publish_ref *ref)
{
	return ref ? ref->action : QS_REF_UNCHANGED;
}

qs_ref_status qs_publish_ref_status(const qs_publish_ref *ref)
{
	return ref ? ref->status : QS_REF_NOT_SENT;
}

const char *qs_publish_ref_action_name(qs_ref_action action)
{
	if ((unsigned)action >= QS_ARRAY_SIZE(action_names))
		return NULL;
	return action_names[action];
}

const char *qs_publish_ref_status_name(qs_ref_status status)
{
	if ((unsigned)status >= QS_ARRAY_SIZE(status_names))
		return NULL;
	return status_names[status];
}

const char *qs_publish_ref_old(const qs_publish_ref *ref)
{
	return ref && ref->has_old ? ref->old : NULL;
}

const char *qs_publish_ref_new(const qs_publish_ref *ref)
{
	return ref && ref->action != QS_REF_DELETE ? ref->new : NULL;
}

int qs_publish_ref_append_only(const qs_publish_ref *ref)
{
	return ref ? ref->append_only : 0;
}

const char *qs_publish_ref_refspec(const qs_publish_ref *ref)
{
	return ref ? ref->refspec : NULL;
}

const char *qs_publish_ref_lease(const qs_publish_ref *ref)
{
	return ref ? ref->lease : NULL;
}

const char *qs_publish_ref_reason(const qs_publish_ref *ref)
{
	return ref ? ref->reason : NULL;
}

static void ref_json(struct json *j, const struct qs_publish_ref *ref)
{
	json_object_begin(j);
	json_kv_string(j, "ref", ref->name);
	json_kv_string(j, "action", action_names[ref->action]);
	json_kv_string(j, "status", status_names[ref->status]);
	json_kv_string(j, "old", ref->has_old ? ref->old : NULL);
	json_kv_string(j, "new", qs_publish_ref_new(ref));
	json_kv_bool(j, "append_only", ref->append_only);
	json_kv_string(j, "refspec", ref->refspec);
	json_kv_string(j, "lease", ref->lease);
	json_kv_string(j, "reason", ref->reason);
	json_object_end(j);
}

int qs__publish_json(qs_buf *out, const qs_publish *p)
{
	struct json j;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int ret = 0;

	if (!f)
		return qs__error_oom();
	json_init(&j, f);
	json_object_begin(&j);
	json_kv_bool(&j, "dry_run", p->dry_run);
	json_kv_string(&j, "manifest", p->manifest);
	json_kv_int(&j, "recovered_refs", (int64_t)p->recovered);
	json_key(&j, "pruned");
	json_array_begin(&j);
	for (size_t i = 0; i < p->npruned; i++)
		json_string(&j, p->pruned[i]);
	json_array_end(&j);
	json_key(&j, "remotes");
	json_array_begin(&j);
	for (size_t i = 0; i < p->nremotes; i++) {
		const struct qs_publish_remote *r = &p->remotes[i];

		json_object_begin(&j);
		json_kv_string(&j, "name", r->name);
		json_kv_string(&j, "url", r->url);
		json_kv_string(&j, "result", result_names[r->result]);
		json_kv_string(&j, "error", r->error);
		json_kv_string(&j, "command", r->command);
		json_key(&j, "refs");
		json_array_begin(&j);
		for (size_t k = 0; k < r->nrefs; k++)
			ref_json(&j, &r->refs[k]);
		json_array_end(&j);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
	json_end_document(&j);
	if (fclose(f) != 0 || !text)
		ret = qs__error_oom();
	else
		ret = qs_buf_add(out, text, len);
	free(text);
	return ret;
}

int qs_publish_report_json(char **out, const qs_publish *p)
{
	qs_buf text = QS_BUF_INIT;
	int ret;

	if (!out || !p)
		return qs__error_set(QS_EINVAL, "qs_publish_report_json: NULL argument");
	*out = NULL;
	if ((ret = qs__publish_json(&text, p)) < 0) {
		qs_buf_release(&text);
		return ret;
	}
	*out = qs_buf_detach(&text);
	return *out ? 0 : QS_ENOMEM;
}
