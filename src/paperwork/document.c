/* document.c — a document's content from its inputs: the headings that the
 * College of Policing's Authorised Professional Practice on live facial
 * recognition and the ICO's opinion on police use of LFR ask for, rows of
 * figures each with its source, warnings, and the fields only a person can
 * complete. The text here is vigil's own; it supports a person's
 * assessment and does not replace it (every document says so). The
 * result is a JSON object that render.c prints. */
#include <stdio.h>
#include <string.h>

#include "paperwork/document.h"

static json_t *section(json_t *doc, const char *heading, const char *text)
{
    json_t *s = json_pack("{s:s,s:s,s:[],s:[],s:[],s:s}", "heading", heading, "text", text ? text : "", "rows",
                          "fields", "list", "chart", "");
    json_array_append_new(json_object_get(doc, "sections"), s);
    return s;
}

static void row(json_t *sec, const char *label, const char *source, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void row(json_t *sec, const char *label, const char *source, const char *fmt, ...)
{
    char v[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v, sizeof v, fmt, ap);
    va_end(ap);
    json_array_append_new(json_object_get(sec, "rows"),
                          json_pack("{s:s,s:s,s:s}", "label", label, "value", v, "source", source));
}

static void item(json_t *sec, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void item(json_t *sec, const char *fmt, ...)
{
    char v[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v, sizeof v, fmt, ap);
    va_end(ap);
    json_array_append_new(json_object_get(sec, "list"), json_string(v));
}

static void field(json_t *doc, json_t *sec, const char *name, const char *prompt)
{
    json_array_append_new(json_object_get(sec, "fields"), json_pack("{s:s,s:s}", "name", name, "prompt", prompt));
    json_array_append_new(json_object_get(doc, "blank_fields"), json_string(name));
}

static void warn(json_t *doc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(json_t *doc, const char *fmt, ...)
{
    char v[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v, sizeof v, fmt, ap);
    va_end(ap);
    json_array_append_new(json_object_get(doc, "warnings"), json_string(v));
}

static const char *S(const json_t *o, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    const json_t *v = o;
    for (char *save = NULL, *k = strtok_r(buf, ".", &save); k && v; k = strtok_r(NULL, ".", &save))
        v = json_object_get(v, k);
    if (json_is_string(v))
        return json_string_value(v);
    return "";
}

static long long I(const json_t *o, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    const json_t *v = o;
    for (char *save = NULL, *k = strtok_r(buf, ".", &save); k && v; k = strtok_r(NULL, ".", &save))
        v = json_object_get(v, k);
    return json_is_integer(v) ? (long long)json_integer_value(v) : json_is_true(v) ? 1 : 0;
}

#define SRC_DEP "store: deployment record"
#define SRC_WL "store: watch-list record"
#define SRC_SUBJ "store: subject records (counted; no name)"

static void common_fields(json_t *doc, json_t *sec)
{
    field(doc, sec, "legal basis",
          "The lawful basis and the policy documents relied on (common law policing powers, DPA 2018 Part 3 "
          "s.35 and the appropriate policy document for sensitive processing, the force's LFR policy).");
    field(doc, sec, "necessity and proportionality",
          "Why LFR is necessary at this place and time, why less intrusive means would not do, and why the "
          "intrusion on everyone who passes is proportionate to the aim.");
    field(doc, sec, "community engagement",
          "Who was consulted (independent advisory groups, residents, businesses, community leaders), what they "
          "said, and what changed because of it.");
}

static void deployment_rows(json_t *sec, const json_t *in)
{
    row(sec, "Deployment", SRC_DEP, "%s", S(in, "deployment.name"));
    row(sec, "Location", SRC_DEP, "%s", S(in, "deployment.location"));
    row(sec, "Authorised window", SRC_DEP, "%s to %s", S(in, "deployment.starts_at"), S(in, "deployment.ends_at"));
    if (S(in, "deployment.ended_at")[0])
        row(sec, "Ended", SRC_DEP, "%s by %s%s", S(in, "deployment.ended_at"), S(in, "deployment.ended_by"),
            strcmp(S(in, "deployment.ended_at"), S(in, "deployment.ends_at")) < 0 ? " (before the window's end)"
                                                                                 : " (after the window's end)");
    row(sec, "Cameras", SRC_DEP, "%lld", I(in, "deployment.cameras"));
    row(sec, "Authorised by", SRC_DEP, "%s", S(in, "deployment.authorised_by"));
    row(sec, "Recorded by", SRC_DEP, "%s at %s", S(in, "deployment.created_by"), S(in, "deployment.created_at"));
    row(sec, "Signage confirmed", SRC_DEP, "%s", I(in, "deployment.signage_confirmed") ? "yes" : "NO");
    row(sec, "Watch list", SRC_WL, "%s: %lld subjects, %lld templates", S(in, "watchlist.name"),
        I(in, "watchlist.subjects"), I(in, "watchlist.templates"));
}

static void settings_rows(json_t *sec, const json_t *in)
{
    row(sec, "Match threshold", "setting: deployment threshold", "%s%s", S(in, "deployment.threshold"),
        I(in, "deployment.threshold_is_default") ? " (vigil's default)" : "");
    row(sec, "Embedder model", SRC_DEP, "%s", S(in, "deployment.model")[0] ? S(in, "deployment.model") : "not recorded");
    row(sec, "Face detector", SRC_DEP, "%s", S(in, "deployment.detector")[0] ? S(in, "deployment.detector") : "not recorded");
    /* only in inputs recorded since schema 16: a document made before is made again as it was */
    if (json_object_get(json_object_get(in, "deployment"), "scene_snapshot"))
        row(sec, "Scene snapshot", "setting: deployment scene_snapshot", "%s",
            I(in, "deployment.scene_snapshot") ? "kept with each alert: the frame as the live view shows it, "
                                                 "bystanders pixelated, sealed and deleted with the alert"
                                               : "not kept (only the matched face's crop)");
}

static void calibration_rows(json_t *doc, json_t *sec, const json_t *in)
{
    const json_t *c = json_object_get(in, "calibration");
    if (!c)
        return;
    if (json_object_get(c, "missing")) {
        row(sec, "Predicted false-alert rate", "calibration", "unknown: %s", S(c, "missing"));
        warn(doc, "No calibration tells this deployment's false-alert rate (%s).", S(c, "missing"));
        return;
    }
    row(sec, "Predicted false-alert rate", S(c, "source"),
        "%s%s per face (95 %% interval %s to %s): %lld of %lld non-mated searches above the threshold, for a "
        "watch list calibrated as %lld subjects",
        I(c, "at_least") ? "at least " : "", S(c, "rate_per_face"), S(c, "rate_ci95_low"), S(c, "rate_ci95_high"),
        I(c, "above_threshold"), I(c, "nonmated"), I(c, "calibrated_size"));
    const json_t *g = json_object_get(c, "groups");
    if (!g) {
        row(sec, "Calibrated with groups", S(c, "source"),
            "no: the calibration tells the pooled false-alert rate only, not each group's (vigil eval calibrate "
            "--labels CSV calibrates with groups)");
        return;
    }
    char v[3000];
    size_t n = 0, i;
    const json_t *r;
    v[0] = '\0';
    json_array_foreach(json_object_get(g, "rates"), i, r) {
        if (n < sizeof v)
            n += (size_t)snprintf(v + n, sizeof v - n, "%s%s %s%s per face (95 %% interval %s to %s; %lld of %lld)",
                                  i ? "; " : "", S(r, "group"), I(r, "at_least") ? "at least " : "",
                                  S(r, "rate_per_face"), S(r, "rate_ci95_low"), S(r, "rate_ci95_high"),
                                  I(r, "above_threshold"), I(r, "nonmated"));
    }
    row(sec, "Calibrated with groups", S(c, "source"), "yes, labels file SHA-256 %s: %s", S(g, "labels_sha256"), v);
}

/* The group evaluations of the model; 0 when there is none. */
static int group_evidence(json_t *doc, json_t *sec, const json_t *in)
{
    const json_t *ev = json_object_get(in, "evaluations");
    int groups = 0;
    size_t i;
    json_t *run;
    json_array_foreach(ev, i, run) {
        char src[3000], label[64];
        snprintf(src, sizeof src, "evaluation run %lld of %s by %s: data set %s, labels SHA-256 %s, model %s, command: %s",
                 I(run, "id"), S(run, "date"), S(run, "by"), S(run, "dataset"),
                 S(run, "labels_sha256")[0] ? S(run, "labels_sha256") : "(none)", S(run, "model"), S(run, "command"));
        if (strcmp(S(run, "kind"), "groups") != 0) {
            snprintf(label, sizeof label, "Evaluation run %lld (%s)", I(run, "id"), S(run, "kind"));
            row(sec, label, src, "recorded");
            continue;
        }
        groups++;
        const json_t *sum = json_object_get(run, "summary");
        const json_t *g;
        size_t k;
        json_array_foreach(json_object_get(sum, "groups"), k, g) {
            snprintf(label, sizeof label, "Run %lld, group %s", I(run, "id"), S(g, "group"));
            const json_t *fmr = json_object_get(g, "fmr"), *fnmr = json_object_get(g, "fnmr");
            row(sec, label, src,
                "%lld people; false-match rate %.4g (95 %% CI %.4g to %.4g; %lld of %lld); false-non-match rate "
                "%.4g (95 %% CI %.4g to %.4g; %lld of %lld)",
                I(g, "subjects"), json_number_value(json_object_get(fmr, "value")),
                json_number_value(json_array_get(json_object_get(fmr, "ci95"), 0)),
                json_number_value(json_array_get(json_object_get(fmr, "ci95"), 1)), I(g, "false_matches"),
                I(g, "nonmated"), json_number_value(json_object_get(fnmr, "value")),
                json_number_value(json_array_get(json_object_get(fnmr, "ci95"), 0)),
                json_number_value(json_array_get(json_object_get(fnmr, "ci95"), 1)), I(g, "false_non_matches"),
                I(g, "mated"));
        }
        static const char *const diffs[] = {"fmr_differential", "fnmr_differential"};
        for (int d = 0; d < 2; d++) {
            const json_t *x = json_object_get(sum, diffs[d]);
            snprintf(label, sizeof label, "Run %lld, %s differential", I(run, "id"), d ? "FNMR" : "FMR");
            if (!json_is_number(json_object_get(x, "ratio")))
                row(sec, label, src, "undefined (no group has an error of this kind at the threshold)");
            else
                row(sec, label, src, "%s / %s = %.3g (95 %% CI %.3g to %.3g): %s", S(x, "highest"), S(x, "lowest"),
                    json_number_value(json_object_get(x, "ratio")),
                    json_number_value(json_array_get(json_object_get(x, "ci95"), 0)),
                    json_number_value(json_array_get(json_object_get(x, "ci95"), 1)),
                    json_is_true(json_object_get(x, "significant")) ? "a differential the data supports"
                                                                    : "no significant differential");
        }
        json_array_foreach(json_object_get(sum, "warnings"), k, g)
            item(sec, "Run %lld: %s", I(run, "id"), json_string_value(g));
    }
    if (!groups)
        warn(doc, "NO GROUP EVALUATION ON RECORD for the model %s: vigil has no measurement of how its error rates "
             "differ between demographic groups. Bridges [2020] EWCA Civ 1058 found a force in breach of the public "
             "sector equality duty for not checking this. Run `vigil eval groups --record` with a labelled data set "
             "before relying on this assessment.",
             S(in, "deployment.model")[0] ? S(in, "deployment.model") : "(not recorded)");
    return groups;
}

static void counts_rows(json_t *sec, const json_t *obj, const char *what, const char *source)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)obj, k, v) {
        char label[512];
        snprintf(label, sizeof label, "%s: %s", what, k);
        row(sec, label, source, "%lld", (long long)json_integer_value(v));
    }
}

static void watchlist_sections(json_t *doc, const json_t *in, int full)
{
    const json_t *w = json_object_get(in, "watchlist");
    json_t *sec = section(doc, "Watch-list composition and authority",
                          "APP on LFR: the watch list is bespoke to the deployment's purpose and authorised; the "
                          "categories of person on it and why.");
    row(sec, "Watch list", SRC_WL, "%s", S(w, "name"));
    row(sec, "Reason", SRC_WL, "%s", S(w, "reason"));
    row(sec, "Authorised by", SRC_WL, "%s, created %s", S(w, "authorised_by"), S(w, "created_at"));
    row(sec, "Subjects", SRC_SUBJ, "%lld (limit %s)", I(w, "subjects"), I(w, "max_size") ? "set" : "none");
    counts_rows(sec, json_object_get(w, "by_category"), "Category", SRC_SUBJ);
    if (!full)
        return;
    counts_rows(sec, json_object_get(w, "by_reason"), "Reason", SRC_SUBJ);
    counts_rows(sec, json_object_get(w, "by_source"), "Image source", SRC_SUBJ);
    sec = section(doc, "Expiry", "Judged against the deployment's window, not the date of this document.");
    row(sec, "Watch-list expiry", SRC_WL, "%s (%s)", S(w, "expires_at")[0] ? S(w, "expires_at") : "none",
        S(w, "expiry_state"));
    row(sec, "Subjects without an expiry", SRC_SUBJ, "%lld", I(w, "subject_expiry.none"));
    row(sec, "Subjects expired before the start", SRC_SUBJ, "%lld", I(w, "subject_expiry.before_start"));
    row(sec, "Subjects expiring during the window", SRC_SUBJ, "%lld", I(w, "subject_expiry.during_window"));
    row(sec, "Subjects valid past the window", SRC_SUBJ, "%lld", I(w, "subject_expiry.after_window"));
    if (!strcmp(S(w, "expiry_state"), "expired before the deployment's start"))
        warn(doc, "The watch list %s expired (%s) before the deployment's start: no one on it may be sought.",
             S(w, "name"), S(w, "expires_at"));
    if (I(w, "subject_expiry.before_start"))
        warn(doc, "%lld subject(s) of the watch list expired before the deployment's start.",
             I(w, "subject_expiry.before_start"));
    sec = section(doc, "Children (under 18 at the deployment's start)",
                  "APP on LFR: a child is placed on a watch list only exceptionally, with a recorded justification.");
    const json_t *u = json_object_get(w, "under_18");
    row(sec, "Subjects under 18", SRC_SUBJ, "%zu", json_array_size(u));
    size_t i;
    json_t *x;
    json_array_foreach(u, i, x)
        item(sec, "subject %lld, aged %lld: justification \"%s\", authorised by %s", I(x, "subject_id"),
             I(x, "age_at_start"), S(x, "justification"), S(x, "authorised_by")[0] ? S(x, "authorised_by") : "(not recorded)");
    if (json_array_size(u))
        warn(doc, "The watch list holds %zu person(s) under 18 at the deployment's start: each justification is "
             "listed under \"Children\" for review.", json_array_size(u));
    sec = section(doc, "Image quality", NULL);
    row(sec, "Subjects with a template accepted below the quality limits", "store: template records (low_quality)",
        "%lld", I(w, "low_quality_subjects"));
    row(sec, "Subjects quarantined (not matched)", "store: subject records", "%lld", I(w, "quarantined"));
}

static void retention_rows(json_t *sec, const json_t *in)
{
    row(sec, "Alert retention", S(in, "retention.source"), "%lld days, unless held for an investigation",
        I(in, "retention.alert_days"));
    row(sec, "Faces that match no one", "vigil's design (DESIGN.md section 5, proven by test_privacy_strangers)",
        "never written: dropped from memory when the face's track ends");
    row(sec, "Templates and photos at rest", "vigil's design", "encrypted (libsodium secretbox), key file outside "
        "the database");
    row(sec, "Every alert decided by a person", "vigil's design", "an officer confirms, rejects or takes no action");
}

static void audit_rows(json_t *doc, json_t *sec, const json_t *in)
{
    const json_t *a = json_object_get(in, "audit");
    row(sec, "Audit chain", "vg_store_audit_verify over the whole chain", "%s",
        I(a, "intact") ? "verified intact" : "NOT intact");
    if (!I(a, "intact"))
        warn(doc, "The audit chain does not verify: first bad entry %lld (%s).", I(a, "first_bad_seq"), S(a, "problem"));
    if (json_object_get(a, "head_at_window_end"))
        row(sec, "Chain head at the window's end", "store: audit table", "entry %lld at %s, hash %s",
            I(a, "head_at_window_end.seq"), S(a, "head_at_window_end.time"), S(a, "head_at_window_end.hash"));
    row(sec, "Checkpoints", "vigil's build", "%s", S(a, "checkpoints"));
}

static void entries_list(json_t *sec, const json_t *arr)
{
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e) {
        char *d = json_dumps(json_object_get(e, "details"), JSON_COMPACT | JSON_SORT_KEYS);
        item(sec, "audit entry %lld, %s: %s %s by %s %s", I(e, "seq"), S(e, "time"), S(e, "action"), S(e, "object"),
             S(e, "actor"), d ? d : "");
        free(d);
    }
    if (!json_array_size(arr))
        item(sec, "none");
}

static void dpia(json_t *doc, const json_t *in)
{
    json_t *sec = section(doc, "The processing",
                          "What is processed, where, when and on whose authority (ICO opinion on LFR by law "
                          "enforcement; DPA 2018 s.64).");
    deployment_rows(sec, in);
    settings_rows(sec, in);
    sec = section(doc, "Purpose and legal basis", NULL);
    row(sec, "Stated reason of the watch list", SRC_WL, "%s", S(in, "watchlist.reason"));
    common_fields(doc, sec);
    sec = section(doc, "Strict necessity of sensitive processing",
                  "Biometric data processed to identify a person is sensitive processing (DPA 2018 s.35(8)).");
    field(doc, sec, "strict necessity and Schedule 8 condition",
          "The Schedule 8 condition relied on and why the processing is strictly necessary.");
    watchlist_sections(doc, in, 0);
    sec = section(doc, "Accuracy and bias", "Measured, not assumed: Bridges [2020] EWCA Civ 1058.");
    calibration_rows(doc, sec, in);
    group_evidence(doc, sec, in);
    sec = section(doc, "Risks to individuals and the measures that address them", NULL);
    retention_rows(sec, in);
    audit_rows(doc, sec, in);
    field(doc, sec, "other risks", "Risks vigil cannot see (chilling effect, misidentification's consequences, "
          "location-specific risks) and how each is reduced.");
    sec = section(doc, "Transparency and the rights of data subjects", NULL);
    row(sec, "Signage confirmed", SRC_DEP, "%s", I(in, "deployment.signage_confirmed") ? "yes" : "NO");
    if (!I(in, "deployment.signage_confirmed"))
        warn(doc, "Signage was not confirmed for this deployment.");
    sec = section(doc, "Consultation and sign-off", NULL);
    field(doc, sec, "data protection officer's advice", "The DPO's advice, and whether it was followed.");
    field(doc, sec, "sign-off", "Name, rank and signature of the person accepting the residual risk, and the date.");
}

static void eia(json_t *doc, const json_t *in)
{
    json_t *sec = section(doc, "The policy or activity assessed", "The public sector equality duty (Equality Act "
                          "2010 s.149) applies to the decision to deploy.");
    deployment_rows(sec, in);
    settings_rows(sec, in);
    sec = section(doc, "Evidence: the algorithm's performance by group",
                  "Recorded group evaluations of the deployment's model (vigil eval groups --record). Groups come "
                  "only from the labels file named by its hash; vigil never infers a demographic attribute.");
    group_evidence(doc, sec, in);
    calibration_rows(doc, sec, in);
    watchlist_sections(doc, in, 0);
    sec = section(doc, "Impact on people with protected characteristics", NULL);
    field(doc, sec, "impact assessment",
          "For each protected characteristic: the likely impact of this deployment, positive or negative, with the "
          "evidence above and any other.");
    sec = section(doc, "Legal basis, necessity and engagement", NULL);
    common_fields(doc, sec);
    sec = section(doc, "Mitigation and monitoring", NULL);
    row(sec, "Human decision on every alert", "vigil's design", "yes: an officer adjudicates each alert");
    row(sec, "Post-deployment review", "vigil paperwork --kind review", "the false-alert rate against the "
        "calibration's prediction and every outcome");
    field(doc, sec, "decision and sign-off", "The decision (proceed, adjust, stop), by whom, and the date.");
}

static void criteria(json_t *doc, const json_t *in)
{
    json_t *sec = section(doc, "Deployment the list is for", NULL);
    deployment_rows(sec, in);
    watchlist_sections(doc, in, 1);
    sec = section(doc, "Criteria for inclusion", NULL);
    field(doc, sec, "criteria for each category",
          "For each category above: who may be included, why their inclusion is necessary for this deployment's "
          "purpose, and the seniority of the authority required.");
    common_fields(doc, sec);
}

static void authorisation(json_t *doc, const json_t *in)
{
    json_t *sec = section(doc, "What is authorised", "APP on LFR: the authorising officer's record.");
    deployment_rows(sec, in);
    sec = section(doc, "Technical settings", NULL);
    settings_rows(sec, in);
    calibration_rows(doc, sec, in);
    watchlist_sections(doc, in, 0);
    sec = section(doc, "Retention and safeguards", NULL);
    retention_rows(sec, in);
    sec = section(doc, "The authorising officer's assessment", NULL);
    common_fields(doc, sec);
    field(doc, sec, "choice of location", "Why this location, and the expected presence of people on the list.");
    field(doc, sec, "authorising officer", "Name, rank (superintendent or above), signature, date and time.");
}

static void review(json_t *doc, const json_t *in)
{
    const json_t *op = json_object_get(in, "operation");
    json_t *sec = section(doc, "The deployment as authorised", NULL);
    deployment_rows(sec, in);
    settings_rows(sec, in);
    sec = section(doc, "Transparency figures", "The transparency report's counts (vigil report).");
    json_object_set_new(sec, "chart", json_string("faces"));
    const char *src = S(op, "source");
    row(sec, "Authorised hours", SRC_DEP, "%s", S(op, "authorised_hours"));
    row(sec, "Runs", "audit chain: deployment.start entries", "%lld (%lld ended uncleanly)", I(op, "runs"),
        I(op, "runs_unclean"));
    row(sec, "Frames received", src, "%lld (%lld dropped)", I(op, "frames_in"), I(op, "frames_dropped"));
    row(sec, "Faces processed", src, "%lld", I(op, "faces"));
    row(sec, "Alerts", src, "%lld", I(op, "alerts"));
    sec = section(doc, "False alerts against the calibration's prediction", NULL);
    row(sec, "Observed false-alert rate", src, "%s per face (%lld rejected of %lld faces; 95 %% interval %s to %s)",
        S(op, "false_alerts_per_face"), I(op, "rejected"), I(op, "faces"), S(op, "false_alert_rate_ci95_low"),
        S(op, "false_alert_rate_ci95_high"));
    calibration_rows(doc, sec, in);
    const json_t *c = json_object_get(in, "calibration");
    if (c && !json_object_get(c, "missing") && !I(op, "faces")) {
        row(sec, "Inside the prediction", "the two rows above", "not measurable: no face was processed");
    } else if (c && !json_object_get(c, "missing")) {
        double obs = atof(S(op, "false_alerts_per_face")), hi = atof(S(c, "rate_ci95_high"));
        int inside = obs <= hi;
        row(sec, "Inside the prediction", "the two rows above", "%s",
            inside ? "yes: the observed rate is not above the predicted interval"
                   : "NO: the observed rate is above the predicted interval");
        if (!inside)
            warn(doc, "The observed false-alert rate (%s per face) is above the calibration's predicted interval "
                 "(up to %s).", S(op, "false_alerts_per_face"), S(c, "rate_ci95_high"));
    }
    sec = section(doc, "Outcomes of adjudication", NULL);
    json_object_set_new(sec, "chart", json_string("outcomes"));
    row(sec, "Confirmed", src, "%lld", I(op, "confirmed"));
    row(sec, "Rejected (false alerts)", src, "%lld", I(op, "rejected"));
    row(sec, "No action", src, "%lld", I(op, "no_action"));
    row(sec, "Not yet adjudicated", src, "%lld", I(op, "pending"));
    if (I(op, "pending"))
        warn(doc, "%lld alert(s) are not yet adjudicated.", I(op, "pending"));
    sec = section(doc, "Watch-list changes during the window", "From the audit chain.");
    entries_list(sec, json_object_get(in, "watchlist_changes"));
    sec = section(doc, "Refusals and overrides", "Quality overrides at enrolment, deployment refusals, runs that "
                  "ended uncleanly (audit chain).");
    entries_list(sec, json_object_get(in, "refusals_overrides"));
    watchlist_sections(doc, in, 1);
    sec = section(doc, "Audit", NULL);
    audit_rows(doc, sec, in);
    sec = section(doc, "The reviewer's conclusions", NULL);
    common_fields(doc, sec);
    field(doc, sec, "lessons and decision", "What the deployment achieved against its aim, what is to change, and "
          "whether further deployments are justified; the reviewer's name, rank and date.");
}

static const char *title_of(const char *kind)
{
    return !strcmp(kind, "dpia")                 ? "Data Protection Impact Assessment"
           : !strcmp(kind, "eia")                ? "Equality Impact Assessment"
           : !strcmp(kind, "watchlist-criteria") ? "Watch-list criteria"
           : !strcmp(kind, "authorisation")      ? "Authorisation record"
                                                 : "Post-deployment review";
}

json_t *vg_paperwork_document(const json_t *in, int version, const char *inputs_sha256)
{
    const char *kind = S(in, "kind");
    json_t *doc = json_pack("{s:s,s:s,s:s,s:i,s:s,s:s,s:[],s:[],s:[]}", "title", title_of(kind), "kind", kind,
                            "deployment", S(in, "deployment.name"), "version", version, "inputs_sha256",
                            inputs_sha256, "notice", VG_PAPERWORK_NOTICE, "warnings", "blank_fields", "sections");
    if (!doc)
        return NULL;
    if (!strcmp(kind, "dpia"))
        dpia(doc, in);
    else if (!strcmp(kind, "eia"))
        eia(doc, in);
    else if (!strcmp(kind, "watchlist-criteria"))
        criteria(doc, in);
    else if (!strcmp(kind, "authorisation"))
        authorisation(doc, in);
    else
        review(doc, in);
    return doc;
}
