/*
 * store.h: tsphone's one database (SQLite, $XDG_DATA_HOME/tsphone/
 * tsphone.db): opening it safely, its schema and migrations. The call
 * history (history.h) keeps its table here, and so do the text messages
 * (messages-store.h). Callers
 * outside the store library see no SQLite type.
 */
#ifndef TSP_STORE_H
#define TSP_STORE_H

struct sqlite3;
struct store;

/* The schema this build writes (PRAGMA user_version). */
#define STORE_VERSION	2

/*
 * Open (creating if need be) the database at PATH (NULL: the default
 * under the data directory), bring its schema up to STORE_VERSION and
 * set *OUT. On failure *CAUSE says, in words for the user, what is wrong
 * and that the file was left as it was.
 */
int		 store_open(const char *path, struct store **out, char **cause);
void		 store_close(struct store *);
/* $XDG_DATA_HOME/tsphone/tsphone.db, or NULL without a home. */
char		*store_default_path(void);
const char	*store_path(const struct store *);
/* For the tables' owners inside the store library (history.c). */
struct sqlite3	*store_db(const struct store *);
/* A failed statement's error, worded for the user (disk full...). */
void		 store_why(const struct store *, int rc, char **cause);

#endif
