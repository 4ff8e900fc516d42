/* migrations.c — the schema, as numbered migrations applied in order.
 *
 * Migration N's SQL runs in one transaction with the insertion of N into
 * schema_version, so a crash leaves a database at N-1 or N, never between.
 * Never edit a migration that has shipped: add the next one. Each migration
 * holds one text per SQL dialect (backend.h): SQLite and PostgreSQL, the
 * same tables, columns, keys and indexes. In the PostgreSQL text SQLite's
 * INTEGER is BIGINT (times, ids, counts; INTEGER where SQLite's value is a
 * small number), REAL is DOUBLE PRECISION, BLOB is BYTEA, and
 * "INTEGER PRIMARY KEY AUTOINCREMENT" is an identity column (its sequence
 * never hands an id out twice either); the table user is quoted ("user" is
 * a reserved word there). A test (test_store_nodes.c) checks that every
 * migration has a text for every dialect.
 *
 * Schema (version 1):
 *  - schema_version: one row per applied migration;
 *  - meta: key/value, holds "key_check", a secretbox of a fixed text under
 *    the store key, written at creation, so a wrong key file is detected on
 *    open (seal.c);
 *  - watchlist, subject (ON DELETE CASCADE to template and photo);
 *  - template: the vector sealed (nonce || secretbox), model id, dimension,
 *    quality; photo: the enrolled JPEG sealed, numbered per subject;
 *  - audit: the hash chain (audit.c), seq given by the store, never reused.
 * Row ids use AUTOINCREMENT so that an id named in the audit chain never
 * comes back for a different person after a removal.
 *
 * Version 2 (the live engine):
 *  - deployment: where, when (starts_at < ends_at, ended_at 0 until ended),
 *    against which watch list, on whose authority (authorised_by, and the
 *    actor who created and ended it), signage, threshold (0: the default);
 *    later records (issue 6: the authorisation's reason, the watch list's
 *    version hash) are added as columns with defaults by a later migration;
 *  - deployment_camera: the camera URLs in order, verbatim (the engine
 *    connects with them; the audit chain gets them redacted);
 *  - alert: one per (track, subject) match. uid is the engine's own id, so
 *    writing an alert twice stores it once. The probe crop is sealed like a
 *    photo, and nullable so retention can delete the image and keep the row
 *    for the counts. subject_id is ON DELETE SET NULL: removing a subject or
 *    purging its watch list keeps its alerts (their counts, their crops until
 *    retention) without a reference to a row that is gone and without
 *    blocking the purge; the audit chain's alert.raise entry still names the
 *    subject id, and AUTOINCREMENT ensures that id never names anyone else.
 *    adjudicated_by/at, outcome and note wait for adjudication;
 *  - counters: per (deployment, camera) running totals, no biometric data.
 *
 * Version 3 (retention, issue 6):
 *  - alert.hold_reason, held_by, held_at: an alert held for an
 *    investigation ('' / 0 when not held), which retention keeps;
 *  - auto_vacuum = INCREMENTAL, so that retention can release the pages it
 *    freed (PRAGMA incremental_vacuum) instead of leaving them in the file.
 *    SQLite switches an existing database to it only by a full VACUUM,
 *    which cannot run inside a transaction: a migration may carry a
 *    `before` step that runs outside any transaction just before its
 *    transaction. It must be idempotent: a crash after it and before the
 *    commit leaves the database at version 2, and the next open runs both
 *    again (a second VACUUM changes nothing). New databases get the setting
 *    before their first table (sqlite.c), so their VACUUM here is of a few
 *    empty pages.
 *
 * Version 4 (HTTP API users, issue 5):
 *  - user: name (unique), role ('admin', 'operator' or 'auditor'), pwhash
 *    (libsodium crypto_pwhash_str: argon2id, never the password),
 *    created_at, disabled.
 *
 * Version 6 (API tokens, issue 5):
 *  - api_token: name (unique among the tokens not revoked), role, hash (hex
 *    SHA-256 of the token: the token itself is shown once and never
 *    stored), created_by, created_at, revoked_at (0: valid) and revoked_by.
 *    AUTOINCREMENT: a revoked token's id is never reused.
 *
 * Version 7 (enrolment that helps, issue 11):
 *  - template.low_quality: 1 when a supervisor accepted the photo below the
 *    enrolment gate's quality limits (the justification and the supervisor
 *    are in the subject.add audit entry); 0 for every earlier template.
 * Version 11 (hardening, issue 14):
 *  - deployment_camera.url_sealed: the camera URL (which holds the camera's
 *    credentials) sealed at rest like a template, bound to its row (AEAD
 *    with "deployment_camera:<deployment id>:<position>:url" as associated
 *    data, so a value moved to another row does not open); url becomes ''.
 *    The migration seals the existing rows with the key (its with_key step,
 *    in the migration's transaction).
 * Version 8 (model packs, issue 11):
 *  - deployment.model_id, deployment.detector: the pack a deployment was
 *    created for (the embedder's model id, the detector's name); '' for
 *    deployments made before, whose pack was not recorded.
 * Version 10 (hardening, issue 14):
 *  - session: the console's logins, so that a restart logs no one out:
 *    hash and csrf_hash are hex BLAKE2b of the cookie's token and of the
 *    CSRF token (neither is stored), user_name, role, created_at,
 *    expires_at; logout deletes the row, and an admin can end every
 *    session of a user;
 *  - api_token.expires_at: a token is refused after it (default 90 days
 *    after its creation or last renewal); tokens made before get 90 days
 *    from their creation.
 *
 * Version 11 (hardening, issue 14): deployment_camera.url_sealed, the
 *    camera's URL sealed and bound to its row; existing URLs sealed by the
 *    migration's step (vg_db_deployment_camera_seal_all).
 *
 * Version 12 (the deployment paperwork, issue 20):
 *  - eval_run: an evaluation run recorded for the documents that cite it
 *    (`vigil eval groups --record`): kind, the embedder's model id, the data
 *    set, the labels file's SHA-256, the command, when and by whom; the
 *    result (JSON) sealed like a calibration, so an edited row is refused;
 *  - paperwork: each version of a deployment's document of one kind: the
 *    SHA-256 of its inputs and the inputs themselves (JSON, sealed), from
 *    which the same document is made again byte for byte.
 *
 * Version 13 (hardening, issue 14, point 11): no change of the schema.
 *    Every sealed value (template.vector, photo.jpeg, alert.crop,
 *    eval_run.result, paperwork.inputs, the calibrations in meta) is sealed
 *    again, AEAD bound to its row ("templates:<id>.<subject id>:vector", seal.h,
 *    docs/storage.md), so that a value copied into another row does not
 *    open; the step (vg_db_reseal_all, seal_row.c) runs in the migration's
 *    transaction with the key. A migration whose SQL text is "" changes no
 *    table and only runs its step.
 *
 * Version 14 (the console's card, issue 15):
 *  - photo.face_x1 .. face_y2 and photo.lm0x .. lm4y: where the enrolment
 *    found the face in the photo as it is kept (box and five landmarks, in
 *    its pixels), so the card can show the aligned face instead of the whole
 *    portrait. Plain numbers, not sealed: without the photo they show no one.
 *    NULL for photos enrolled before (the card falls back to the portrait);
 *  - deployment_camera.name, .location: what the console calls the camera
 *    and where it is ('': "camera<N>" and the deployment's location).
 *
 * Version 15 (recognition, issue 11): alert.template_id, the template the
 *    probe matched best (NULL for the alerts raised before, and for a
 *    template removed since), so that an alert says "low quality" when the
 *    template it matched was accepted below the limits, not whenever its
 *    subject has such a template. Not a foreign key: an alert outlives a
 *    re-embedding, which replaces the templates.
 *
 * Version 16 (the scene snapshot, issue 15):
 *  - deployment.scene_snapshot: 1 when the deployment's authority allows
 *    keeping, with each alert, the frame as the live view shows it
 *    (bystanders pixelated, the matched face boxed); 0 (the default, and
 *    every deployment made before) keeps no scene at all;
 *  - alert.scene: that JPEG, sealed bound to its row like the crop
 *    ("alerts:<id>:scene"); NULL when the policy is off, when the alert
 *    came through the spool, and once retention deleted it.
 */
#include "store/migrations.h"
#include "store/store_internal.h"

typedef struct vg_migration {
    int version;
    const char *sql[VG_DIALECT_COUNT];
    const char *before[VG_DIALECT_COUNT]; /* outside a transaction, idempotent; NULL: none */
    /* after the SQL, in the same transaction, with the store's key (data
     * that only the key can rewrite: sealing); NULL: none */
    vg_status (*with_key)(vg_store *s, vg_err *err);
} vg_migration;

/* migration 14's text: the same for both dialects (REAL, TEXT) */
#define MIGRATION_14_SQL \
    "ALTER TABLE photo ADD COLUMN face_x1 REAL;\n" \
    "ALTER TABLE photo ADD COLUMN face_y1 REAL;\n" \
    "ALTER TABLE photo ADD COLUMN face_x2 REAL;\n" \
    "ALTER TABLE photo ADD COLUMN face_y2 REAL;\n" \
    "ALTER TABLE photo ADD COLUMN lm0x REAL;\n" \
    "ALTER TABLE photo ADD COLUMN lm0y REAL;\n" \
    "ALTER TABLE photo ADD COLUMN lm1x REAL;\n" \
    "ALTER TABLE photo ADD COLUMN lm1y REAL;\n" \
    "ALTER TABLE photo ADD COLUMN lm2x REAL;\n" \
    "ALTER TABLE photo ADD COLUMN lm2y REAL;\n" \
    "ALTER TABLE photo ADD COLUMN lm3x REAL;\n" \
    "ALTER TABLE photo ADD COLUMN lm3y REAL;\n" \
    "ALTER TABLE photo ADD COLUMN lm4x REAL;\n" \
    "ALTER TABLE photo ADD COLUMN lm4y REAL;\n" \
    "ALTER TABLE deployment_camera ADD COLUMN name TEXT NOT NULL DEFAULT '';\n" \
    "ALTER TABLE deployment_camera ADD COLUMN location TEXT NOT NULL DEFAULT '';\n"

static const vg_migration migrations[] = {
    {1,
     {[VG_DIALECT_SQLITE] =
          "CREATE TABLE schema_version (\n"
          "  version INTEGER PRIMARY KEY,\n"
          "  applied_at INTEGER NOT NULL\n"
          ");\n"
          "CREATE TABLE meta (\n"
          "  key TEXT PRIMARY KEY,\n"
          "  value BLOB NOT NULL\n"
          ");\n"
          "CREATE TABLE watchlist (\n"
          "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
          "  name TEXT NOT NULL UNIQUE,\n"
          "  reason TEXT NOT NULL,\n"
          "  authorised_by TEXT NOT NULL,\n"
          "  created_at INTEGER NOT NULL,\n"
          "  expires_at INTEGER NOT NULL DEFAULT 0,\n"
          "  max_size INTEGER NOT NULL DEFAULT 0\n"
          ");\n"
          "CREATE TABLE subject (\n"
          "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
          "  watchlist_id INTEGER NOT NULL REFERENCES watchlist(id) ON DELETE CASCADE,\n"
          "  name TEXT NOT NULL,\n"
          "  reason TEXT NOT NULL DEFAULT '',\n"
          "  category TEXT NOT NULL DEFAULT '',\n"
          "  source TEXT NOT NULL DEFAULT '',\n"
          "  authorised_by TEXT NOT NULL DEFAULT '',\n"
          "  justification TEXT NOT NULL DEFAULT '',\n"
          "  dob TEXT NOT NULL DEFAULT '',\n"
          "  created_at INTEGER NOT NULL,\n"
          "  expires_at INTEGER NOT NULL DEFAULT 0\n"
          ");\n"
          "CREATE INDEX subject_watchlist ON subject(watchlist_id);\n"
          "CREATE TABLE template (\n"
          "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
          "  subject_id INTEGER NOT NULL REFERENCES subject(id) ON DELETE CASCADE,\n"
          "  model_id TEXT NOT NULL,\n"
          "  dim INTEGER NOT NULL,\n"
          "  vector BLOB NOT NULL,\n"
          "  quality REAL NOT NULL\n"
          ");\n"
          "CREATE INDEX template_subject ON template(subject_id);\n"
          "CREATE TABLE photo (\n"
          "  subject_id INTEGER NOT NULL REFERENCES subject(id) ON DELETE CASCADE,\n"
          "  idx INTEGER NOT NULL,\n"
          "  jpeg BLOB NOT NULL,\n"
          "  PRIMARY KEY (subject_id, idx)\n"
          ");\n"
          "CREATE TABLE audit (\n"
          "  seq INTEGER PRIMARY KEY,\n"
          "  time INTEGER NOT NULL,\n"
          "  actor TEXT NOT NULL,\n"
          "  action TEXT NOT NULL,\n"
          "  object TEXT NOT NULL,\n"
          "  details TEXT NOT NULL,\n"
          "  prev_hash TEXT NOT NULL,\n"
          "  hash TEXT NOT NULL\n"
          ");\n"
          "CREATE INDEX audit_time ON audit(time);\n",
      [VG_DIALECT_POSTGRES] =
          "CREATE TABLE schema_version (\n"
          "  version INTEGER PRIMARY KEY,\n"
          "  applied_at BIGINT NOT NULL\n"
          ");\n"
          "CREATE TABLE meta (\n"
          "  key TEXT PRIMARY KEY,\n"
          "  value BYTEA NOT NULL\n"
          ");\n"
          "CREATE TABLE watchlist (\n"
          "  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,\n"
          "  name TEXT NOT NULL UNIQUE,\n"
          "  reason TEXT NOT NULL,\n"
          "  authorised_by TEXT NOT NULL,\n"
          "  created_at BIGINT NOT NULL,\n"
          "  expires_at BIGINT NOT NULL DEFAULT 0,\n"
          "  max_size INTEGER NOT NULL DEFAULT 0\n"
          ");\n"
          "CREATE TABLE subject (\n"
          "  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,\n"
          "  watchlist_id BIGINT NOT NULL REFERENCES watchlist(id) ON DELETE CASCADE,\n"
          "  name TEXT NOT NULL,\n"
          "  reason TEXT NOT NULL DEFAULT '',\n"
          "  category TEXT NOT NULL DEFAULT '',\n"
          "  source TEXT NOT NULL DEFAULT '',\n"
          "  authorised_by TEXT NOT NULL DEFAULT '',\n"
          "  justification TEXT NOT NULL DEFAULT '',\n"
          "  dob TEXT NOT NULL DEFAULT '',\n"
          "  created_at BIGINT NOT NULL,\n"
          "  expires_at BIGINT NOT NULL DEFAULT 0\n"
          ");\n"
          "CREATE INDEX subject_watchlist ON subject(watchlist_id);\n"
          "CREATE TABLE template (\n"
          "  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,\n"
          "  subject_id BIGINT NOT NULL REFERENCES subject(id) ON DELETE CASCADE,\n"
          "  model_id TEXT NOT NULL,\n"
          "  dim INTEGER NOT NULL,\n"
          "  vector BYTEA NOT NULL,\n"
          "  quality DOUBLE PRECISION NOT NULL\n"
          ");\n"
          "CREATE INDEX template_subject ON template(subject_id);\n"
          "CREATE TABLE photo (\n"
          "  subject_id BIGINT NOT NULL REFERENCES subject(id) ON DELETE CASCADE,\n"
          "  idx INTEGER NOT NULL,\n"
          "  jpeg BYTEA NOT NULL,\n"
          "  PRIMARY KEY (subject_id, idx)\n"
          ");\n"
          "CREATE TABLE audit (\n"
          "  seq BIGINT PRIMARY KEY,\n"
          "  time BIGINT NOT NULL,\n"
          "  actor TEXT NOT NULL,\n"
          "  action TEXT NOT NULL,\n"
          "  object TEXT NOT NULL,\n"
          "  details TEXT NOT NULL,\n"
          "  prev_hash TEXT NOT NULL,\n"
          "  hash TEXT NOT NULL\n"
          ");\n"
          "CREATE INDEX audit_time ON audit(time);\n"},
     {0},
     NULL},
    {2,
     {[VG_DIALECT_SQLITE] =
          "CREATE TABLE deployment (\n"
          "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
          "  name TEXT NOT NULL UNIQUE,\n"
          "  watchlist_id INTEGER NOT NULL REFERENCES watchlist(id),\n"
          "  location TEXT NOT NULL,\n"
          "  starts_at INTEGER NOT NULL,\n"
          "  ends_at INTEGER NOT NULL,\n"
          "  authorised_by TEXT NOT NULL,\n"
          "  signage_confirmed INTEGER NOT NULL DEFAULT 0,\n"
          "  threshold REAL NOT NULL DEFAULT 0,\n"
          "  created_at INTEGER NOT NULL,\n"
          "  created_by TEXT NOT NULL,\n"
          "  ended_at INTEGER NOT NULL DEFAULT 0,\n"
          "  ended_by TEXT NOT NULL DEFAULT '',\n"
          "  CHECK (starts_at < ends_at)\n"
          ");\n"
          "CREATE INDEX deployment_watchlist ON deployment(watchlist_id);\n"
          "CREATE TABLE deployment_camera (\n"
          "  deployment_id INTEGER NOT NULL REFERENCES deployment(id) ON DELETE CASCADE,\n"
          "  position INTEGER NOT NULL,\n"
          "  url TEXT NOT NULL,\n"
          "  PRIMARY KEY (deployment_id, position)\n"
          ");\n"
          "CREATE TABLE alert (\n"
          "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
          "  uid TEXT NOT NULL UNIQUE,\n"
          "  deployment_id INTEGER NOT NULL REFERENCES deployment(id),\n"
          "  camera TEXT NOT NULL,\n"
          "  subject_id INTEGER REFERENCES subject(id) ON DELETE SET NULL,\n"
          "  score REAL NOT NULL,\n"
          "  frame_time REAL NOT NULL,\n"
          "  raised_at REAL NOT NULL,\n"
          "  state TEXT NOT NULL DEFAULT 'pending',\n"
          "  crop BLOB,\n"
          "  adjudicated_by TEXT NOT NULL DEFAULT '',\n"
          "  adjudicated_at INTEGER NOT NULL DEFAULT 0,\n"
          "  outcome TEXT NOT NULL DEFAULT '',\n"
          "  note TEXT NOT NULL DEFAULT ''\n"
          ");\n"
          "CREATE INDEX alert_deployment ON alert(deployment_id, id);\n"
          "CREATE INDEX alert_subject ON alert(subject_id);\n"
          "CREATE TABLE counters (\n"
          "  deployment_id INTEGER NOT NULL REFERENCES deployment(id) ON DELETE CASCADE,\n"
          "  camera TEXT NOT NULL,\n"
          "  frames_in INTEGER NOT NULL DEFAULT 0,\n"
          "  frames_processed INTEGER NOT NULL DEFAULT 0,\n"
          "  frames_dropped INTEGER NOT NULL DEFAULT 0,\n"
          "  faces INTEGER NOT NULL DEFAULT 0,\n"
          "  tracks INTEGER NOT NULL DEFAULT 0,\n"
          "  embeddings INTEGER NOT NULL DEFAULT 0,\n"
          "  comparisons INTEGER NOT NULL DEFAULT 0,\n"
          "  alerts INTEGER NOT NULL DEFAULT 0,\n"
          "  reconnects INTEGER NOT NULL DEFAULT 0,\n"
          "  updated_at INTEGER NOT NULL,\n"
          "  PRIMARY KEY (deployment_id, camera)\n"
          ");\n",
      [VG_DIALECT_POSTGRES] =
          "CREATE TABLE deployment (\n"
          "  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,\n"
          "  name TEXT NOT NULL UNIQUE,\n"
          "  watchlist_id BIGINT NOT NULL REFERENCES watchlist(id),\n"
          "  location TEXT NOT NULL,\n"
          "  starts_at BIGINT NOT NULL,\n"
          "  ends_at BIGINT NOT NULL,\n"
          "  authorised_by TEXT NOT NULL,\n"
          "  signage_confirmed INTEGER NOT NULL DEFAULT 0,\n"
          "  threshold DOUBLE PRECISION NOT NULL DEFAULT 0,\n"
          "  created_at BIGINT NOT NULL,\n"
          "  created_by TEXT NOT NULL,\n"
          "  ended_at BIGINT NOT NULL DEFAULT 0,\n"
          "  ended_by TEXT NOT NULL DEFAULT '',\n"
          "  CHECK (starts_at < ends_at)\n"
          ");\n"
          "CREATE INDEX deployment_watchlist ON deployment(watchlist_id);\n"
          "CREATE TABLE deployment_camera (\n"
          "  deployment_id BIGINT NOT NULL REFERENCES deployment(id) ON DELETE CASCADE,\n"
          "  position INTEGER NOT NULL,\n"
          "  url TEXT NOT NULL,\n"
          "  PRIMARY KEY (deployment_id, position)\n"
          ");\n"
          "CREATE TABLE alert (\n"
          "  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,\n"
          "  uid TEXT NOT NULL UNIQUE,\n"
          "  deployment_id BIGINT NOT NULL REFERENCES deployment(id),\n"
          "  camera TEXT NOT NULL,\n"
          "  subject_id BIGINT REFERENCES subject(id) ON DELETE SET NULL,\n"
          "  score DOUBLE PRECISION NOT NULL,\n"
          "  frame_time DOUBLE PRECISION NOT NULL,\n"
          "  raised_at DOUBLE PRECISION NOT NULL,\n"
          "  state TEXT NOT NULL DEFAULT 'pending',\n"
          "  crop BYTEA,\n"
          "  adjudicated_by TEXT NOT NULL DEFAULT '',\n"
          "  adjudicated_at BIGINT NOT NULL DEFAULT 0,\n"
          "  outcome TEXT NOT NULL DEFAULT '',\n"
          "  note TEXT NOT NULL DEFAULT ''\n"
          ");\n"
          "CREATE INDEX alert_deployment ON alert(deployment_id, id);\n"
          "CREATE INDEX alert_subject ON alert(subject_id);\n"
          "CREATE TABLE counters (\n"
          "  deployment_id BIGINT NOT NULL REFERENCES deployment(id) ON DELETE CASCADE,\n"
          "  camera TEXT NOT NULL,\n"
          "  frames_in BIGINT NOT NULL DEFAULT 0,\n"
          "  frames_processed BIGINT NOT NULL DEFAULT 0,\n"
          "  frames_dropped BIGINT NOT NULL DEFAULT 0,\n"
          "  faces BIGINT NOT NULL DEFAULT 0,\n"
          "  tracks BIGINT NOT NULL DEFAULT 0,\n"
          "  embeddings BIGINT NOT NULL DEFAULT 0,\n"
          "  comparisons BIGINT NOT NULL DEFAULT 0,\n"
          "  alerts BIGINT NOT NULL DEFAULT 0,\n"
          "  reconnects BIGINT NOT NULL DEFAULT 0,\n"
          "  updated_at BIGINT NOT NULL,\n"
          "  PRIMARY KEY (deployment_id, camera)\n"
          ");\n"},
     {0},
     NULL},
    {3,
     {[VG_DIALECT_SQLITE] =
          "ALTER TABLE alert ADD COLUMN hold_reason TEXT NOT NULL DEFAULT '';\n"
          "ALTER TABLE alert ADD COLUMN held_by TEXT NOT NULL DEFAULT '';\n"
          "ALTER TABLE alert ADD COLUMN held_at INTEGER NOT NULL DEFAULT 0;\n"
          "CREATE INDEX alert_raised ON alert(raised_at);\n",
      [VG_DIALECT_POSTGRES] =
          "ALTER TABLE alert ADD COLUMN hold_reason TEXT NOT NULL DEFAULT '';\n"
          "ALTER TABLE alert ADD COLUMN held_by TEXT NOT NULL DEFAULT '';\n"
          "ALTER TABLE alert ADD COLUMN held_at BIGINT NOT NULL DEFAULT 0;\n"
          "CREATE INDEX alert_raised ON alert(raised_at);\n"},
     {[VG_DIALECT_SQLITE] = "PRAGMA auto_vacuum = INCREMENTAL;\nVACUUM;\n"},
     NULL},
    {4,
     {[VG_DIALECT_SQLITE] =
          "CREATE TABLE user (\n"
          "  id INTEGER PRIMARY KEY,\n"
          "  name TEXT NOT NULL UNIQUE,\n"
          "  role TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'auditor')),\n"
          "  pwhash TEXT NOT NULL,\n"
          "  created_at INTEGER NOT NULL,\n"
          "  disabled INTEGER NOT NULL DEFAULT 0\n"
          ");\n",
      [VG_DIALECT_POSTGRES] =
          "CREATE TABLE \"user\" (\n"
          "  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,\n"
          "  name TEXT NOT NULL UNIQUE,\n"
          "  role TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'auditor')),\n"
          "  pwhash TEXT NOT NULL,\n"
          "  created_at BIGINT NOT NULL,\n"
          "  disabled INTEGER NOT NULL DEFAULT 0\n"
          ");\n"},
     {0},
     NULL},
    /* what retention keeps of the alerts it deletes: their outcomes, counted
     * per deployment, so the transparency report still adds up */
    {5,
     {[VG_DIALECT_SQLITE] =
          "CREATE TABLE alert_tally (\n"
          "  deployment_id INTEGER PRIMARY KEY REFERENCES deployment(id) ON DELETE CASCADE,\n"
          "  alerts INTEGER NOT NULL DEFAULT 0,\n"
          "  confirmed INTEGER NOT NULL DEFAULT 0,\n"
          "  rejected INTEGER NOT NULL DEFAULT 0,\n"
          "  no_action INTEGER NOT NULL DEFAULT 0,\n"
          "  pending INTEGER NOT NULL DEFAULT 0\n"
          ");\n",
      [VG_DIALECT_POSTGRES] =
          "CREATE TABLE alert_tally (\n"
          "  deployment_id BIGINT PRIMARY KEY REFERENCES deployment(id) ON DELETE CASCADE,\n"
          "  alerts BIGINT NOT NULL DEFAULT 0,\n"
          "  confirmed BIGINT NOT NULL DEFAULT 0,\n"
          "  rejected BIGINT NOT NULL DEFAULT 0,\n"
          "  no_action BIGINT NOT NULL DEFAULT 0,\n"
          "  pending BIGINT NOT NULL DEFAULT 0\n"
          ");\n"},
     {0},
     NULL},
    {6,
     {[VG_DIALECT_SQLITE] =
          "CREATE TABLE api_token (\n"
          "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
          "  name TEXT NOT NULL,\n"
          "  role TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'auditor')),\n"
          "  hash TEXT NOT NULL UNIQUE,\n"
          "  created_by TEXT NOT NULL,\n"
          "  created_at INTEGER NOT NULL,\n"
          "  revoked_at INTEGER NOT NULL DEFAULT 0,\n"
          "  revoked_by TEXT NOT NULL DEFAULT ''\n"
          ");\n"
          "CREATE UNIQUE INDEX api_token_valid_name ON api_token (name) WHERE revoked_at = 0;\n",
      [VG_DIALECT_POSTGRES] =
          "CREATE TABLE api_token (\n"
          "  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,\n"
          "  name TEXT NOT NULL,\n"
          "  role TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'auditor')),\n"
          "  hash TEXT NOT NULL UNIQUE,\n"
          "  created_by TEXT NOT NULL,\n"
          "  created_at BIGINT NOT NULL,\n"
          "  revoked_at BIGINT NOT NULL DEFAULT 0,\n"
          "  revoked_by TEXT NOT NULL DEFAULT ''\n"
          ");\n"
          "CREATE UNIQUE INDEX api_token_valid_name ON api_token (name) WHERE revoked_at = 0;\n"},
     {0},
     NULL},
    {7,
     {[VG_DIALECT_SQLITE] = "ALTER TABLE template ADD COLUMN low_quality INTEGER NOT NULL DEFAULT 0;\n",
      [VG_DIALECT_POSTGRES] = "ALTER TABLE template ADD COLUMN low_quality INTEGER NOT NULL DEFAULT 0;\n"},
     {0},
     NULL},
    {8,
     {[VG_DIALECT_SQLITE] =
          "ALTER TABLE deployment ADD COLUMN model_id TEXT NOT NULL DEFAULT '';\n"
          "ALTER TABLE deployment ADD COLUMN detector TEXT NOT NULL DEFAULT '';\n",
      [VG_DIALECT_POSTGRES] =
          "ALTER TABLE deployment ADD COLUMN model_id TEXT NOT NULL DEFAULT '';\n"
          "ALTER TABLE deployment ADD COLUMN detector TEXT NOT NULL DEFAULT '';\n"},
     {0},
     NULL},
    /* a subject taken out of matching (a template that does not decrypt, or
     * an admin's decision) until an admin releases it: issue 13 */
    {9,
     {[VG_DIALECT_SQLITE] =
          "ALTER TABLE subject ADD COLUMN quarantined_at INTEGER NOT NULL DEFAULT 0;\n"
          "ALTER TABLE subject ADD COLUMN quarantine_reason TEXT NOT NULL DEFAULT '';\n",
      [VG_DIALECT_POSTGRES] =
          "ALTER TABLE subject ADD COLUMN quarantined_at BIGINT NOT NULL DEFAULT 0;\n"
          "ALTER TABLE subject ADD COLUMN quarantine_reason TEXT NOT NULL DEFAULT '';\n"},
     {0},
     NULL},
    /* issue 14: console sessions kept (hashed) across restarts; API tokens
     * expire. Tokens made before expire 90 days after their creation. */
    {10,
     {[VG_DIALECT_SQLITE] =
          "CREATE TABLE session (\n"
          "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
          "  hash TEXT NOT NULL UNIQUE,\n"
          "  csrf_hash TEXT NOT NULL,\n"
          "  user_name TEXT NOT NULL,\n"
          "  role TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'auditor')),\n"
          "  created_at INTEGER NOT NULL,\n"
          "  expires_at INTEGER NOT NULL\n"
          ");\n"
          "CREATE INDEX session_by_user ON session (user_name);\n"
          "ALTER TABLE api_token ADD COLUMN expires_at INTEGER NOT NULL DEFAULT 0;\n"
          "UPDATE api_token SET expires_at = created_at + 7776000;\n",
      [VG_DIALECT_POSTGRES] =
          "CREATE TABLE session (\n"
          "  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,\n"
          "  hash TEXT NOT NULL UNIQUE,\n"
          "  csrf_hash TEXT NOT NULL,\n"
          "  user_name TEXT NOT NULL,\n"
          "  role TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'auditor')),\n"
          "  created_at BIGINT NOT NULL,\n"
          "  expires_at BIGINT NOT NULL\n"
          ");\n"
          "CREATE INDEX session_by_user ON session (user_name);\n"
          "ALTER TABLE api_token ADD COLUMN expires_at BIGINT NOT NULL DEFAULT 0;\n"
          "UPDATE api_token SET expires_at = created_at + 7776000;\n"},
     {0},
     NULL},
    /* camera URLs sealed at rest, bound to their row: issue 14 */
    {11,
     {[VG_DIALECT_SQLITE] = "ALTER TABLE deployment_camera ADD COLUMN url_sealed BLOB;\n",
      [VG_DIALECT_POSTGRES] = "ALTER TABLE deployment_camera ADD COLUMN url_sealed BYTEA;\n"},
     {0},
     vg_db_deployment_camera_seal_all},
    /* evaluation runs kept for the documents that cite them, and the
     * versions of the deployment documents (issue 20) */
    {12,
     {[VG_DIALECT_SQLITE] =
          "CREATE TABLE eval_run (\n"
          "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
          "  kind TEXT NOT NULL,\n"
          "  model_id TEXT NOT NULL,\n"
          "  dataset TEXT NOT NULL,\n"
          "  labels_sha256 TEXT NOT NULL DEFAULT '',\n"
          "  command TEXT NOT NULL,\n"
          "  created_at INTEGER NOT NULL,\n"
          "  created_by TEXT NOT NULL,\n"
          "  result BLOB NOT NULL\n"
          ");\n"
          "CREATE INDEX eval_run_model ON eval_run (model_id, kind);\n"
          "CREATE TABLE paperwork (\n"
          "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
          "  deployment_id INTEGER NOT NULL REFERENCES deployment (id),\n"
          "  kind TEXT NOT NULL,\n"
          "  version INTEGER NOT NULL,\n"
          "  inputs_sha256 TEXT NOT NULL,\n"
          "  created_at INTEGER NOT NULL,\n"
          "  created_by TEXT NOT NULL,\n"
          "  inputs BLOB NOT NULL,\n"
          "  UNIQUE (deployment_id, kind, version)\n"
          ");\n",
      [VG_DIALECT_POSTGRES] =
          "CREATE TABLE eval_run (\n"
          "  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,\n"
          "  kind TEXT NOT NULL,\n"
          "  model_id TEXT NOT NULL,\n"
          "  dataset TEXT NOT NULL,\n"
          "  labels_sha256 TEXT NOT NULL DEFAULT '',\n"
          "  command TEXT NOT NULL,\n"
          "  created_at BIGINT NOT NULL,\n"
          "  created_by TEXT NOT NULL,\n"
          "  result BYTEA NOT NULL\n"
          ");\n"
          "CREATE INDEX eval_run_model ON eval_run (model_id, kind);\n"
          "CREATE TABLE paperwork (\n"
          "  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,\n"
          "  deployment_id BIGINT NOT NULL REFERENCES deployment (id),\n"
          "  kind TEXT NOT NULL,\n"
          "  version INTEGER NOT NULL,\n"
          "  inputs_sha256 TEXT NOT NULL,\n"
          "  created_at BIGINT NOT NULL,\n"
          "  created_by TEXT NOT NULL,\n"
          "  inputs BYTEA NOT NULL,\n"
          "  UNIQUE (deployment_id, kind, version)\n"
          ");\n"},
     {0},
     NULL},
    /* every sealed value bound to its row: issue 14, point 11 */
    {13, {[VG_DIALECT_SQLITE] = "", [VG_DIALECT_POSTGRES] = ""}, {0}, vg_db_reseal_all},
    /* the face's place in each enrolment photo: issue 15 */
    {14,
     {[VG_DIALECT_SQLITE] = MIGRATION_14_SQL, [VG_DIALECT_POSTGRES] = MIGRATION_14_SQL},
     {0},
     NULL},
    /* the template an alert matched: issue 11 */
    {15,
     {[VG_DIALECT_SQLITE] = "ALTER TABLE alert ADD COLUMN template_id INTEGER;\n",
      [VG_DIALECT_POSTGRES] = "ALTER TABLE alert ADD COLUMN template_id BIGINT;\n"},
     {0},
     NULL},
    /* the scene snapshot and its policy: issue 15 */
    {16,
     {[VG_DIALECT_SQLITE] = "ALTER TABLE deployment ADD COLUMN scene_snapshot INTEGER NOT NULL DEFAULT 0;\n"
                            "ALTER TABLE alert ADD COLUMN scene BLOB;\n",
      [VG_DIALECT_POSTGRES] = "ALTER TABLE deployment ADD COLUMN scene_snapshot INTEGER NOT NULL DEFAULT 0;\n"
                              "ALTER TABLE alert ADD COLUMN scene BYTEA;\n"},
     {0},
     NULL},
};

#define N_MIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

int vg_store_migrations_count(void)
{
    return N_MIGRATIONS;
}

int vg_store_migration_version(int i)
{
    return i >= 0 && i < N_MIGRATIONS ? migrations[i].version : 0;
}

const char *vg_store_migration_sql(int i, vg_store_dialect d)
{
    if (i < 0 || i >= N_MIGRATIONS || (int)d < 0 || d >= VG_DIALECT_COUNT)
        return NULL;
    return migrations[i].sql[d];
}

int vg_store_migration_has_step(int i)
{
    return i >= 0 && i < N_MIGRATIONS && migrations[i].with_key != NULL;
}

int vg_store_migrations_latest(void)
{
    return migrations[N_MIGRATIONS - 1].version;
}

/* Runs one migration's SQL and records its version (inside begin()). */
static vg_status apply_one(const vg_store_backend *be, vg_store_conn *c, vg_store *s, int version,
                           const char *const sql[VG_DIALECT_COUNT],
                           const char *const before[VG_DIALECT_COUNT],
                           vg_status (*with_key)(vg_store *, vg_err *), int64_t now, vg_err *err);

static vg_status apply(const vg_store_backend *be, vg_store_conn *c, const char *sql, int version,
                       int64_t now, vg_err *err)
{
    vg_status st = *sql ? be->exec(c, sql, "applying a migration", err) : VG_OK;
    vg_store_stmt *q = NULL;
    if (st == VG_OK)
        st = be->prepare(c, "INSERT INTO schema_version (version, applied_at) VALUES (?1, ?2)", 0,
                         &q, err);
    if (st != VG_OK)
        return st;
    be->bind_i64(q, 1, version);
    be->bind_i64(q, 2, now);
    int row = 0;
    vg_sql_error fail;
    st = be->step(q, "recording the schema version", &row, &fail, err);
    be->finalize(q);
    return st;
}

vg_status vg_store_migration_apply(const vg_store_backend *be, vg_store_conn *c, int version,
                                   const char *const sql[VG_DIALECT_COUNT],
                                   const char *const before[VG_DIALECT_COUNT], int64_t now,
                                   vg_err *err)
{
    return apply_one(be, c, NULL, version, sql, before, NULL, now, err);
}

static vg_status apply_one(const vg_store_backend *be, vg_store_conn *c, vg_store *s, int version,
                           const char *const sql[VG_DIALECT_COUNT],
                           const char *const before[VG_DIALECT_COUNT],
                           vg_status (*with_key)(vg_store *, vg_err *), int64_t now, vg_err *err)
{
    const char *text = sql[be->dialect];
    if (!text)
        return vg_err_set(err, VG_ERR_INTERNAL, "schema migration %d has no SQL for the %s backend",
                          version, be->name);
    const char *first = before ? before[be->dialect] : NULL;
    if (first) {
        vg_status st = be->exec_outside(c, first, err);
        if (st != VG_OK)
            return vg_err_prefix(err, st, "schema migration %d (before its transaction)", version);
    }
    vg_status st = be->begin(c, err);
    if (st != VG_OK)
        return st;
    /* under the write lock: another process (a second node starting at the
     * same time) may have applied it since the version was last read */
    int applied = 0;
    st = be->schema_version(c, &applied, err);
    if (st == VG_OK && applied >= version) {
        be->rollback(c);
        return VG_OK;
    }
    if (st == VG_OK)
        st = apply(be, c, text, version, now, err);
    if (st == VG_OK && with_key)
        st = s ? with_key(s, err)
               : vg_err_set(err, VG_ERR_INTERNAL, "schema migration %d needs the store's key", version);
    if (st == VG_OK)
        st = be->commit(c, err);
    if (st != VG_OK) {
        be->rollback(c);
        return vg_err_prefix(err, st, "schema migration %d", version);
    }
    return VG_OK;
}

vg_status vg_store_migrate(const vg_store_backend *be, vg_store_conn *c, vg_store *s, int from,
                           int64_t now, vg_err *err)
{
    for (int i = 0; i < N_MIGRATIONS; i++) {
        const vg_migration *m = &migrations[i];
        if (m->version <= from)
            continue;
        vg_status st = apply_one(be, c, s, m->version, m->sql, m->before, m->with_key, now, err);
        if (st != VG_OK)
            return st;
    }
    return VG_OK;
}
