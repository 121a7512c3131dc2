/*
 * store.c: the database file: where it lives, who may read it, how it
 * is opened and migrated. The tables belong to their models (history.c,
 * messages-store.c); this file owns only the file and the schema's
 * version.
 *
 * The file holds what the user saw: it is never replaced, truncated or
 * "repaired". A file that is not a database, or one written by a newer
 * tsphone, is reported and left alone; the phone runs without it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "store.h"
#include "util.h"

struct store {
	sqlite3		*db;
	char		*path;
};

/*
 * The migrations, in order: entry N brings a database from version N - 1
 * to N, inside one transaction together with the new user_version, so a
 * crash half-way leaves the old version intact. A later table (messages)
 * is a new entry at the end; an entry, once released, never changes.
 */
static const char *const store_migrations[] = {
	/* 1: the call history (history.c). id is never reused, so the n
	 * of "history" and "callback N" names one call for good. */
	"CREATE TABLE calls ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  time INTEGER NOT NULL,"		/* Unix seconds, start */
	"  outgoing INTEGER NOT NULL,"
	"  remote TEXT NOT NULL,"		/* as SIP gave it */
	"  uri TEXT NOT NULL DEFAULT '',"	/* its address alone */
	"  display TEXT NOT NULL DEFAULT '',"
	"  account TEXT NOT NULL DEFAULT '',"
	"  outcome TEXT NOT NULL DEFAULT '',"	/* '' while under way */
	"  code INTEGER NOT NULL DEFAULT 0,"
	"  duration INTEGER NOT NULL DEFAULT 0,"
	"  call_id TEXT NOT NULL DEFAULT '',"
	"  seen INTEGER NOT NULL DEFAULT 0"	/* a missed call looked at */
	");"
	"CREATE INDEX calls_unseen ON calls(outcome) WHERE seen = 0;"
	/* Rows under way: few, found at start-up without a scan. */
	"CREATE INDEX calls_open ON calls(id) WHERE outcome = '';"
	/* Each address once, with its newest call: completion reads this
	 * small table, not every call. Kept by the trigger, in the same
	 * transaction as the call's row. */
	"CREATE TABLE remotes ("
	"  uri TEXT PRIMARY KEY,"
	"  display TEXT NOT NULL DEFAULT '',"
	"  last INTEGER NOT NULL"
	") WITHOUT ROWID;"
	"CREATE INDEX remotes_last ON remotes(last);"
	"CREATE TRIGGER calls_remote AFTER INSERT ON calls BEGIN"
	"  INSERT OR IGNORE INTO remotes (uri, display, last)"
	"    VALUES (new.uri, new.display, new.id);"
	"  UPDATE remotes SET last = new.id, display = CASE"
	"    WHEN new.display <> '' THEN new.display ELSE display END"
	"    WHERE uri = new.uri;"
	"END;",
	/* 2: the text messages (messages-store.c). peer is the address
	 * alone, the conversation a message belongs to; read is 0 only for
	 * a received message the user has not looked at. */
	"CREATE TABLE messages ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  time INTEGER NOT NULL,"		/* Unix seconds */
	"  account TEXT NOT NULL DEFAULT '',"
	"  direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),"
	"  peer TEXT NOT NULL,"
	"  remote TEXT NOT NULL DEFAULT '',"	/* as SIP gave it */
	"  display TEXT NOT NULL DEFAULT '',"
	"  text TEXT NOT NULL DEFAULT '',"
	"  state TEXT NOT NULL,"		/* sending, sent, failed, received */
	"  code INTEGER NOT NULL DEFAULT 0,"
	"  reason TEXT NOT NULL DEFAULT '',"
	"  read INTEGER NOT NULL DEFAULT 1"
	");"
	/* A conversation, newest first, without a scan. */
	"CREATE INDEX messages_peer ON messages(peer, id);"
	"CREATE INDEX messages_unread ON messages(peer) WHERE read = 0;"
	/* Ours still waiting for an answer: few, found at start-up. */
	"CREATE INDEX messages_open ON messages(id) WHERE state = 'sending';"
	/* Each conversation once, with its newest message and its counts:
	 * the list of conversations reads this small table, not every
	 * message. Kept by the triggers, in the same transaction as the
	 * message's row. */
	"CREATE TABLE conversations ("
	"  peer TEXT PRIMARY KEY,"
	"  display TEXT NOT NULL DEFAULT '',"	/* the newest name given */
	"  last INTEGER NOT NULL,"		/* id of the newest message */
	"  count INTEGER NOT NULL DEFAULT 0,"
	"  unread INTEGER NOT NULL DEFAULT 0"
	") WITHOUT ROWID;"
	"CREATE INDEX conversations_last ON conversations(last);"
	"CREATE TRIGGER messages_conversation AFTER INSERT ON messages BEGIN"
	"  INSERT OR IGNORE INTO conversations (peer, last)"
	"    VALUES (new.peer, new.id);"
	"  UPDATE conversations SET last = new.id, count = count + 1,"
	"    unread = unread + (new.read = 0), display = CASE"
	"    WHEN new.display <> '' THEN new.display ELSE display END"
	"    WHERE peer = new.peer;"
	"END;"
	"CREATE TRIGGER messages_read AFTER UPDATE OF read ON messages"
	"  WHEN old.read = 0 AND new.read <> 0 BEGIN"
	"  UPDATE conversations SET unread = unread - 1 WHERE peer = new.peer;"
	"END;",
};

char *
store_default_path(void)
{
	char	*dir, *path;

	if ((dir = util_data_dir()) == NULL)
		return NULL;
	xasprintf(&path, "%s/tsphone.db", dir);
	free(dir);
	return path;
}

const char *
store_path(const struct store *st)
{
	return st->path;
}

struct sqlite3 *
store_db(const struct store *st)
{
	return st->db;
}

/* -1 and *CAUSE when PATH's directory, or PATH, cannot be written. */
static int
store_writable(const char *path, char **cause)
{
	char	*dir = xstrdup(path), *slash = strrchr(dir, '/');
	int	 rc = 0;

	if (slash != NULL)
		*slash = '\0';
	if (slash != NULL && access(dir, W_OK) != 0) {
		xasprintf(cause, "the directory %s cannot be written: %s", dir,
		    strerror(errno));
		rc = -1;
	} else if (access(path, W_OK) != 0 && errno != ENOENT) {
		xasprintf(cause, "%s cannot be written: %s", path,
		    strerror(errno));
		rc = -1;
	}
	free(dir);
	return rc;
}

void
store_why(const struct store *st, int rc, char **cause)
{
	switch (rc & 0xff) {
	case SQLITE_FULL:
		xasprintf(cause, "%s: the disk is full", st->path);
		break;
	case SQLITE_READONLY:
		if (store_writable(st->path, cause) == 0)
			xasprintf(cause, "%s is read-only", st->path);
		break;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		xasprintf(cause, "%s is damaged (%s); it is left as it is",
		    st->path, sqlite3_errmsg(st->db));
		break;
	case SQLITE_CANTOPEN:
	case SQLITE_IOERR:
		/* Its -wal and -shm files are made beside it: say which of
		 * the two cannot be written, in the system's words. */
		if (store_writable(st->path, cause) != 0)
			break;
		xasprintf(cause, "%s: %s", st->path, sqlite3_errmsg(st->db));
		break;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		xasprintf(cause, "%s is in use by another program", st->path);
		break;
	default:
		xasprintf(cause, "%s: %s", st->path, sqlite3_errmsg(st->db));
		break;
	}
}

/* A statement without results; on failure, *CAUSE. */
static int
store_exec(struct store *st, const char *sql, char **cause)
{
	int	 rc;

	if ((rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL)) != SQLITE_OK) {
		store_why(st, rc, cause);
		return -1;
	}
	return 0;
}

static int
store_version(struct store *st, int *version, char **cause)
{
	sqlite3_stmt	*s;
	int		 rc;

	rc = sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		*version = sqlite3_column_int(s, 0);
		rc = SQLITE_OK;
	}
	if (rc != SQLITE_OK)
		store_why(st, rc, cause);
	sqlite3_finalize(s);
	return rc == SQLITE_OK ? 0 : -1;
}

static int
store_migrate(struct store *st, int from, char **cause)
{
	char	*sql;
	int	 v, rc;

	for (v = from; v < (int)nitems(store_migrations); v++) {
		xasprintf(&sql, "BEGIN IMMEDIATE; %s PRAGMA user_version = %d; "
		    "COMMIT;", store_migrations[v], v + 1);
		rc = store_exec(st, sql, cause);
		free(sql);
		if (rc != 0) {
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
		log_info("%s: schema version %d", st->path, v + 1);
	}
	return 0;
}

/*
 * Create the file ourselves, 0600 (SQLite would follow the umask), so
 * that no one else ever reads the history; its -wal and -shm files take
 * the database's mode.
 */
static int
store_create(const char *path, char **cause)
{
	int	 fd;

	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd == -1 && errno != EEXIST) {
		xasprintf(cause, "cannot create %s: %s", path, strerror(errno));
		return -1;
	}
	if (fd != -1)
		close(fd);
	return 0;
}

int
store_open(const char *path, struct store **out, char **cause)
{
	struct store	*st;
	char		*dir = NULL, *slash, *why = NULL;
	int		 rc, version;

	st = xcalloc(1, sizeof *st);
	st->path = path != NULL ? xstrdup(path) : store_default_path();
	if (st->path == NULL) {
		xasprintf(cause, "no home directory for the database");
		goto fail;
	}
	dir = xstrdup(st->path);
	if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
		*slash = '\0';
		if ((rc = util_mkdir_p(dir, 0700)) != 0) {
			xasprintf(cause, "cannot create %s: %s", dir,
			    strerror(-rc));
			goto fail;
		}
	}
	if (store_create(st->path, cause) != 0)
		goto fail;
	rc = sqlite3_open_v2(st->path, &st->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		xasprintf(cause, "cannot open %s: %s", st->path,
		    st->db != NULL ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_extended_result_codes(st->db, 1);
	/* Another tsphone writing a row: wait a little, never long. */
	sqlite3_busy_timeout(st->db, 250);

	/* Read before anything writes: a file that is not ours, or is
	 * newer than us, must come out of this byte for byte the same. */
	if (store_version(st, &version, &why) != 0) {
		xasprintf(cause, "%s; the phone runs without history", why);
		goto fail;
	}
	if (version > STORE_VERSION) {
		xasprintf(cause, "%s was written by a newer tsphone (schema %d, "
		    "this one knows %d); it is left as it is and the phone runs "
		    "without history", st->path, version, STORE_VERSION);
		goto fail;
	}
	/*
	 * WAL: a commit is one append, readers never block the writer, and
	 * with synchronous=NORMAL a committed row survives the process being
	 * killed (only a power cut may lose the last one), without an fsync
	 * on the loop thread for every call event.
	 */
	if (store_exec(st, "PRAGMA journal_mode = WAL; "
	    "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON", &why) != 0 ||
	    store_migrate(st, version, &why) != 0) {
		xasprintf(cause, "%s; the phone runs without history", why);
		goto fail;
	}
	free(dir);
	*out = st;
	return 0;

fail:
	free(why);
	free(dir);
	store_close(st);
	return -1;
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	if (st->db != NULL)
		sqlite3_close_v2(st->db);
	free(st->path);
	free(st);
}
