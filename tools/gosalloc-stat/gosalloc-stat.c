// SPDX-License-Identifier: GPL-2.0-only
/*
 * gosalloc-stat.c - show gosalloc's statistics, as slabinfo and slabtop do
 * for the slab allocators.
 *
 * Reads gosalloc's debugfs directory (/sys/kernel/debug/gosalloc, or a copy
 * of it given with -d) and prints the totals from "stats", a table of the
 * size classes from "classes", a table of the named caches from "caches"
 * and one of the per-CPU caches from "cpus" (both absent in older
 * modules), then a "warning:" line for every figure that disagrees with
 * another. With -w it samples again every interval and adds mallocs/s and
 * frees/s since the previous sample.
 *
 * The files are described in Documentation/debugfs.rst. Lines of "stats"
 * with unknown names are ignored, and the tables are parsed by the column
 * names of their header line, so that files with more lines or columns
 * still read. Only libc is used: a static build runs in a busybox
 * initramfs.
 *
 * Exit status: 0, warnings or not; 1 for input that is missing or
 * malformed; 2 for bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef unsigned long long u64;

#define PROG		"gosalloc-stat"
#define DEFAULT_DIR	"/sys/kernel/debug/gosalloc"
#define PAGE_SIZE	4096ULL
#define MAX_FIELDS	64
#define NUM_LEN		32		/* a formatted number */
#define U64_MAX		ULLONG_MAX

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* As pr_err(): fprintf() checks the formats. */
#define error(fmt, ...) \
	fprintf(stderr, PROG ": " fmt "\n", ##__VA_ARGS__)
#define parse_error(r, fmt, ...) \
	(print_where(r), fprintf(stderr, fmt "\n", ##__VA_ARGS__))
#define warning(fmt, ...) \
	printf("warning: " fmt "\n", ##__VA_ARGS__)

enum stat_id {
	HEAP_SYS, HEAP_INUSE, HEAP_IDLE, HEAP_RELEASED, HEAP_ALLOC,
	MALLOCS, FREES, TINY_ALLOCS, LARGE_ALLOCS, LARGE_FREES,
	INVALID_FREES, DOUBLE_FREES, SPANS_INUSE, METADATA_SYS,
	CORRUPTED_OBJECTS, INJECTED_FAILURES, CACHE_MALLOCS, CACHE_FREES,
	BAD_PAGE_REFS,
	NR_STATS
};

/* Stats from here on came later: a snapshot may lack them. */
#define FIRST_OPTIONAL_STAT	CORRUPTED_OBJECTS

static const char *const stat_names[NR_STATS] = {
	"heap_sys", "heap_inuse", "heap_idle", "heap_released", "heap_alloc",
	"mallocs", "frees", "tiny_allocs", "large_allocs", "large_frees",
	"invalid_frees", "double_frees", "spans_inuse", "metadata_sys",
	"corrupted_objects", "injected_failures", "cache_mallocs",
	"cache_frees", "bad_page_refs",
};

enum class_col {
	CL_CLASS, CL_SIZE, CL_PAGES, CL_OBJS, CL_SPANS, CL_INUSE, CL_FREE,
	CL_MALLOCS, CL_FREES,
	CL_NR
};

static const char *const class_cols[CL_NR] = {
	"class", "size", "pages", "objs/span", "spans", "inuse", "free",
	"mallocs", "frees",
};

enum cpu_col {
	CPU_CPU, CPU_ONLINE, CPU_OBJECTS, CPU_BYTES, CPU_MALLOCS, CPU_FREES,
	CPU_NR
};

static const char *const cpu_cols[CPU_NR] = {
	"cpu", "online", "objects", "bytes", "mallocs", "frees",
};

/* CA_NAME is text (struct table's names); CA_PAGES came later. */
enum cache_col {
	CA_NAME, CA_SIZE, CA_STRIDE, CA_ALIGN, CA_FLAGS, CA_INUSE, CA_SPANS,
	CA_MALLOCS, CA_FREES, CA_PAGES,
	CA_NR
};

static const char *const cache_cols[CA_NR] = {
	"name", "size", "stride", "align", "flags", "inuse", "spans",
	"mallocs", "frees", "pages",
};

/* A table file: its columns, how many of them every version has. */
struct table_spec {
	const char *file;
	const char *const *cols;
	size_t nr_cols;
	size_t nr_required;	/* columns from here on may be missing */
	int optional;		/* the file may be missing */
	int named;		/* column 0 is a name, not a number */
};

static const struct table_spec classes_spec = {
	"classes", class_cols, CL_NR, CL_NR, 0, 0,
};

static const struct table_spec cpus_spec = {
	"cpus", cpu_cols, CPU_NR, CPU_NR, 1, 0,
};

static const struct table_spec caches_spec = {
	"caches", cache_cols, CA_NR, CA_PAGES, 1, 1,
};

struct stats {
	u64 v[NR_STATS];
	unsigned int present;		/* a bit per enum stat_id */
};

/* The columns of a table file that we use, in the order of *_cols[]. */
struct table {
	size_t nr_cols;
	size_t nr_rows;
	size_t cap_rows;
	u64 *v;
	char **names;			/* named tables: column 0 of each row */
	unsigned int missing;		/* a bit per column not in the file */
};

struct sample {
	struct stats stats;
	struct table classes;
	struct table caches;		/* nr_cols == 0: no caches file */
	struct table cpus;		/* nr_cols == 0: no cpus file */
	struct timespec time;
};

/* What a sample is printed with: the one before it, for the rates. */
struct view {
	const struct sample *cur;
	const struct sample *prev;	/* NULL: no rates */
	double secs;			/* between prev and cur */
	int watch;			/* print rate columns */
};

enum sort_key { SORT_SIZE, SORT_MEMORY, SORT_WASTE, SORT_ACTIVITY };

#define SHOW_TOTALS	1U
#define SHOW_CLASSES	2U
#define SHOW_CPUS	4U
#define SHOW_CACHES	8U

struct options {
	const char *dir;
	unsigned int show;		/* SHOW_* */
	int all;
	enum sort_key sort;
	unsigned long limit;		/* 0: every class or cache */
	double interval;		/* seconds; 0: one sample */
	unsigned long count;		/* 0: until interrupted */
};

/* A class or named cache as listed: its row and what follows from it. */
struct class_line {
	size_t row;			/* in the table */
	const u64 *v;
	const char *name;		/* a cache's; NULL for a class */
	u64 size;			/* object size */
	u64 memory;
	u64 activity;
	double waste;
	int memory_known;		/* caches files before "pages": no */
};

/* Objects in use, span memory and spans of a table, summed. */
struct sums {
	u64 used;
	u64 memory;
	u64 spans;
};

/* A file read line by line, for the error messages. */
struct reader {
	FILE *f;
	char *line;
	size_t cap;
	unsigned int lineno;
	char path[PATH_MAX];		/* last: see open_reader() */
};

static const char usage_text[] =
"usage: " PROG " [-tCkpabh] [-d DIR] [-s KEY] [-n N] [-w SECONDS] [-c COUNT]\n"
"\n"
"Show gosalloc's statistics from its debugfs directory: the totals, the\n"
"size classes, the named caches and the per-CPU caches, then a line\n"
"starting \"warning:\" for each figure that disagrees with another.\n"
"\n"
"  -d DIR      read DIR, a copy of the directory, instead of\n"
"              " DEFAULT_DIR "\n"
"  -t          show the totals\n"
"  -C          show the size classes\n"
"  -k          show the named caches (gosalloc_cache_create())\n"
"  -p          show the per-CPU caches\n"
"              (-t, -C, -k and -p combine; without any of them, all four)\n"
"  -a          list every class and cache, not only those with spans or\n"
"              mallocs\n"
"  -b          print sizes as exact byte counts\n"
"  -s KEY      sort the classes and caches by KEY: size (object size,\n"
"              the default), memory, waste (waste %) or activity\n"
"              (mallocs + frees); all but size sort the highest first\n"
"  -n N        list only the first N classes and N caches after sorting\n"
"              (0: all)\n"
"  -w SECONDS  sample again every SECONDS (decimals allowed) and show\n"
"              mallocs/s and frees/s since the previous sample\n"
"  -c COUNT    stop after COUNT samples (-c without -w samples every 1s)\n"
"  -h          show this help\n"
"\n"
"Sizes are in binary units: below 10K in bytes (4096B), else in the\n"
"largest of K, M, G, T, P, E that fits, with one decimal below 100 of it\n"
"(12.0M) and none from 100 (512K). A class's memory is spans * pages *\n"
"4096; its waste is the part of that not holding objects in use. A\n"
"cache's memory is the same, its objects counted at their stride (\"-\"\n"
"where the caches file has no pages column).\n"
"Fragmentation is 1 - heap_alloc / heap_inuse.\n"
"\n"
"Exit status: 0, with or without warnings; 1 if the input is missing or\n"
"malformed; 2 for bad usage.\n";

/* The start of parse_error(): the file and line. */
static void print_where(const struct reader *r)
{
	fprintf(stderr, PROG ": %s:%u: ", r->path, r->lineno);
}

static u64 add_sat(u64 a, u64 b)
{
	return a > U64_MAX - b ? U64_MAX : a + b;
}

static u64 mul_sat(u64 a, u64 b)
{
	return b && a > U64_MAX / b ? U64_MAX : a * b;
}

/* A sum or product from add_sat() or mul_sat(), saying if it saturated. */
static char *fmt_sat(char *buf, size_t len, u64 v)
{
	snprintf(buf, len, "%llu%s", v, v == U64_MAX ? " or more" : "");
	return buf;
}

/* Decimal digits only, no sign, no overflow. */
static int parse_u64(const char *s, u64 *val)
{
	u64 v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (U64_MAX - (*s - '0')) / 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	*val = v;
	return 0;
}

/* Decimal, or hexadecimal after "0x" (the caches' flags). */
static int parse_num(const char *s, u64 *val)
{
	u64 v = 0;
	int d;

	if (strncmp(s, "0x", 2))
		return parse_u64(s, val);
	if (!s[2])
		return -1;
	for (s += 2; *s; s++) {
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else
			return -1;
		if (v > U64_MAX >> 4)
			return -1;
		v = v << 4 | (u64)d;
	}
	*val = v;
	return 0;
}

/* Set by -b: sizes as exact byte counts. */
static int exact_bytes;

/* 4096B, 12.0M, 512K: see the usage text. */
static char *fmt_size(char *buf, size_t len, u64 v)
{
	static const char units[] = "KMGTPE";
	u64 div = 1024, tenths;
	int u = 0;

	if (v < 10240 || exact_bytes) {
		snprintf(buf, len, "%lluB", v);
		return buf;
	}
	while (u < 5 && v / div + (v % div >= div / 2) >= 1024) {
		div <<= 10;
		u++;
	}
	tenths = v / div * 10 + (v % div * 10 + div / 2) / div;
	if (tenths < 1000)
		snprintf(buf, len, "%llu.%llu%c", tenths / 10, tenths % 10,
			 units[u]);
	else
		snprintf(buf, len, "%llu%c", v / div + (v % div >= div / 2),
			 units[u]);
	return buf;
}

/*
 * The part of @total not in @used, in percent rounded half up to 0.1;
 * at worst -99999.9%, when @used is far above @total.
 */
static char *fmt_percent(char *buf, size_t len, u64 used, u64 total)
{
	double tenths = 0.0;
	long t;

	if (total)
		tenths = 1000.0 * ((double)total - (double)used) /
			 (double)total;
	if (tenths < -999999.0)
		tenths = -999999.0;
	t = (long)(tenths < 0 ? tenths - 0.5 : tenths + 0.5);
	snprintf(buf, len, "%s%ld.%ld%%", t < 0 ? "-" : "", labs(t) / 10,
		 labs(t) % 10);
	return buf;
}

/* Per second from @prev to @cur; "-" without a previous value. */
static char *fmt_rate(char *buf, size_t len, const u64 *cur, const u64 *prev,
		      double secs)
{
	double rate;

	if (!prev || *cur < *prev || secs <= 0) {
		snprintf(buf, len, "-");
		return buf;
	}
	rate = (double)(*cur - *prev) / secs;
	snprintf(buf, len, rate < 100 ? "%.1f" : "%.0f", rate);
	return buf;
}

/* 0 when open, 1 if @optional and absent, -1 after a message. */
static int open_reader(struct reader *r, const char *dir, const char *name,
		       int optional)
{
	int n = snprintf(r->path, sizeof(r->path), "%s/%s", dir, name);

	memset(r, 0, offsetof(struct reader, path));
	if (n < 0 || (size_t)n >= sizeof(r->path)) {
		error("%s: path too long", dir);
		return -1;
	}
	r->f = fopen(r->path, "r");
	if (r->f)
		return 0;
	if (optional && errno == ENOENT)
		return 1;
	error("%s: %s", r->path, strerror(errno));
	return -1;
}

static void close_reader(struct reader *r)
{
	if (r->f)
		fclose(r->f);
	free(r->line);
}

/* 1 and r->line without its newline, 0 at the end, -1 on error. */
static int next_line(struct reader *r)
{
	ssize_t n;

	errno = 0;
	n = getline(&r->line, &r->cap, r->f);
	if (n < 0) {
		if (ferror(r->f)) {
			error("%s: %s", r->path, strerror(errno ? errno : EIO));
			return -1;
		}
		return 0;
	}
	r->lineno++;
	if (strlen(r->line) != (size_t)n) {
		parse_error(r, "NUL byte in line");
		return -1;
	}
	if (n && r->line[n - 1] == '\n')
		r->line[n - 1] = '\0';
	return 1;
}

static char *trim(char *s)
{
	char *end;

	s += strspn(s, " \t\r");
	end = s + strlen(s);
	while (end > s && strchr(" \t\r", end[-1]))
		*--end = '\0';
	return s;
}

/* Cut @line at blanks; more than MAX_FIELDS fields gives MAX_FIELDS + 1. */
static int split(char *line, char **fields)
{
	int n = 0;

	for (;;) {
		line += strspn(line, " \t\r");
		if (!*line)
			return n;
		if (n == MAX_FIELDS)
			return n + 1;
		fields[n++] = line;
		line += strcspn(line, " \t\r");
		if (*line)
			*line++ = '\0';
	}
}

static int find_stat(const char *name)
{
	int i;

	for (i = 0; i < NR_STATS; i++)
		if (!strcmp(name, stat_names[i]))
			return i;
	return -1;
}

static int parse_stat_line(struct reader *r, struct stats *s)
{
	char *colon = strchr(r->line, ':');
	char *name, *value;
	int id;

	if (!colon) {
		parse_error(r, "expected \"name: value\"");
		return -1;
	}
	*colon = '\0';
	name = trim(r->line);
	value = trim(colon + 1);
	id = find_stat(name);
	if (id < 0)
		return 0;	/* newer than this tool */
	if (s->present & (1U << id)) {
		parse_error(r, "%s given twice", name);
		return -1;
	}
	if (parse_u64(value, &s->v[id])) {
		parse_error(r, "%s: \"%s\" is not a decimal u64", name, value);
		return -1;
	}
	s->present |= 1U << id;
	return 0;
}

static int read_stats(const char *dir, struct stats *s)
{
	struct reader r;
	int ret, i;

	memset(s, 0, sizeof(*s));
	if (open_reader(&r, dir, "stats", 0))
		return -1;
	while ((ret = next_line(&r)) > 0) {
		if (*trim(r.line) && parse_stat_line(&r, s)) {
			ret = -1;
			break;
		}
	}
	for (i = 0; !ret && i < FIRST_OPTIONAL_STAT; i++) {
		if (!(s->present & (1U << i))) {
			error("%s: no %s line", r.path, stat_names[i]);
			ret = -1;
		}
	}
	close_reader(&r);
	return ret;
}

static u64 *table_row(const struct table *t, size_t i)
{
	return &t->v[i * t->nr_cols];
}

/* A zeroed row, with room for its name in a named table. */
static u64 *table_add_row(struct table *t, int named)
{
	if (t->nr_rows == t->cap_rows) {
		size_t cap = t->cap_rows ? 2 * t->cap_rows : 64;
		u64 *v = realloc(t->v, cap * t->nr_cols * sizeof(*v));
		char **names;

		if (!v)
			return NULL;
		t->v = v;
		if (named) {
			names = realloc(t->names, cap * sizeof(*names));
			if (!names)
				return NULL;
			t->names = names;
		}
		t->cap_rows = cap;
	}
	if (named)
		t->names[t->nr_rows] = NULL;
	memset(table_row(t, t->nr_rows), 0, t->nr_cols * sizeof(u64));
	return table_row(t, t->nr_rows++);
}

static void table_free(struct table *t)
{
	size_t i;

	for (i = 0; t->names && i < t->nr_rows; i++)
		free(t->names[i]);
	free(t->names);
	free(t->v);
	memset(t, 0, sizeof(*t));
}

/*
 * Where each of the spec's columns is in the header line (-1 for a
 * missing one that may be missing, also marked in t->missing); -1 if a
 * column is missing that may not be. A name column must come first.
 */
static int map_header(struct reader *r, const struct table_spec *spec,
		      int *pos, int *nr_fields, struct table *t)
{
	char *fields[MAX_FIELDS];
	size_t c;
	int n = split(r->line, fields), i;

	if (n > MAX_FIELDS) {
		parse_error(r, "more than %d columns", MAX_FIELDS);
		return -1;
	}
	for (c = 0; c < spec->nr_cols; c++) {
		for (i = 0; i < n && strcmp(fields[i], spec->cols[c]); i++)
			;
		if (i == n && c >= spec->nr_required) {
			t->missing |= 1U << c;
			i = -1;
		} else if (i == n || (spec->named && !c && i)) {
			parse_error(r, "no column \"%s\" %s", spec->cols[c],
				    i == n ? "in the header" : "first");
			return -1;
		}
		pos[c] = i;
	}
	*nr_fields = n;
	return 0;
}

/*
 * A name holds blanks where a row has @extra fields more than the
 * header: join the first 1 + @extra fields back into one.
 */
static void join_name(char **fields, int n, int extra)
{
	int i;

	for (i = 0; i < extra; i++)
		fields[0][strlen(fields[0])] = ' ';
	for (i = 1; i + extra < n; i++)
		fields[i] = fields[i + extra];
}

static int parse_fields(struct reader *r, const struct table_spec *spec,
			const int *pos, char **fields, u64 *v)
{
	size_t c;

	for (c = spec->named; c < spec->nr_cols; c++) {
		if (pos[c] < 0)
			continue;
		if (parse_num(fields[pos[c]], &v[c])) {
			parse_error(r, "%s: \"%s\" is not a decimal u64",
				    spec->cols[c], fields[pos[c]]);
			return -1;
		}
	}
	return 0;
}

static int parse_row(struct reader *r, const struct table_spec *spec,
		     const int *pos, int nr_fields, struct table *t)
{
	char *fields[MAX_FIELDS];
	int n = split(r->line, fields);
	u64 *v;

	if (!n)
		return 0;
	if (spec->named && n > nr_fields && n <= MAX_FIELDS) {
		join_name(fields, n, n - nr_fields);
		n = nr_fields;
	}
	if (n != nr_fields) {
		parse_error(r, "%d fields, but the header has %d",
			    n > MAX_FIELDS ? MAX_FIELDS + 1 : n, nr_fields);
		return -1;
	}
	v = table_add_row(t, spec->named);
	if (v && spec->named) {
		t->names[t->nr_rows - 1] = strdup(fields[0]);
		if (!t->names[t->nr_rows - 1])
			v = NULL;
	}
	if (!v) {
		error("out of memory");
		return -1;
	}
	return parse_fields(r, spec, pos, fields, v);
}

/* 0 on success, 1 if optional and the file does not exist, -1 on error. */
static int read_table(const char *dir, const struct table_spec *spec,
		      struct table *t)
{
	int pos[MAX_FIELDS], nr_fields = -1, ret;
	struct reader r;

	memset(t, 0, sizeof(*t));
	ret = open_reader(&r, dir, spec->file, spec->optional);
	if (ret)
		return ret;
	t->nr_cols = spec->nr_cols;
	while ((ret = next_line(&r)) > 0) {
		if (nr_fields >= 0)
			ret = parse_row(&r, spec, pos, nr_fields, t);
		else if (*trim(r.line))
			ret = map_header(&r, spec, pos, &nr_fields, t);
		if (ret)
			break;
	}
	if (!ret && nr_fields < 0) {
		error("%s: empty, no header line", r.path);
		ret = -1;
	}
	close_reader(&r);
	if (ret)
		table_free(t);
	return ret;
}

static void sample_free(struct sample *s)
{
	table_free(&s->classes);
	table_free(&s->caches);
	table_free(&s->cpus);
}

static int check_dir(const char *dir)
{
	struct stat st;

	if (stat(dir, &st)) {
		error("%s: %s%s", dir, strerror(errno),
		      strcmp(dir, DEFAULT_DIR) ? "" :
		      " (is debugfs mounted and gosalloc loaded?)");
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		error("%s: %s", dir, strerror(ENOTDIR));
		return -1;
	}
	return 0;
}

static int read_sample(const char *dir, struct sample *s)
{
	memset(s, 0, sizeof(*s));
	clock_gettime(CLOCK_MONOTONIC, &s->time);
	if (check_dir(dir) || read_stats(dir, &s->stats) ||
	    read_table(dir, &classes_spec, &s->classes) ||
	    read_table(dir, &caches_spec, &s->caches) < 0 ||
	    read_table(dir, &cpus_spec, &s->cpus) < 0) {
		sample_free(s);
		return -1;
	}
	return 0;
}

/* The row of @prev whose column @col is @key; tries the same index first. */
static const u64 *find_row(const struct table *prev, size_t i, int col,
			   u64 key)
{
	size_t j;

	if (i < prev->nr_rows && table_row(prev, i)[col] == key)
		return table_row(prev, i);
	for (j = 0; j < prev->nr_rows; j++)
		if (table_row(prev, j)[col] == key)
			return table_row(prev, j);
	return NULL;
}

/* The row of @prev named @name; tries the same index first. */
static const u64 *find_named_row(const struct table *prev, size_t i,
				 const char *name)
{
	size_t j;

	if (!prev->names)
		return NULL;
	if (i < prev->nr_rows && !strcmp(prev->names[i], name))
		return table_row(prev, i);
	for (j = 0; j < prev->nr_rows; j++)
		if (!strcmp(prev->names[j], name))
			return table_row(prev, j);
	return NULL;
}

static const u64 *stat_or_null(const struct sample *s, int id)
{
	return s && (s->stats.present & (1U << id)) ? &s->stats.v[id] : NULL;
}

static void print_size_line(const char *label, const struct stats *s, int id)
{
	char buf[NUM_LEN];

	if (s->present & (1U << id))
		printf("%-20s%s\n", label, fmt_size(buf, sizeof(buf), s->v[id]));
	else
		printf("%-20sn/a\n", label);
}

static void print_count_line(const char *label, const struct stats *s, int id)
{
	if (s->present & (1U << id))
		printf("%-20s%llu\n", label, s->v[id]);
	else
		printf("%-20sn/a\n", label);
}

/* Objects of the named caches, counted apart from mallocs and frees. */
static void print_cache_objects(const struct stats *s)
{
	const u64 *v = s->v;

	if (!(s->present & (1U << CACHE_MALLOCS)) ||
	    !(s->present & (1U << CACHE_FREES))) {
		printf("%-20sn/a\n", "cache objects:");
		return;
	}
	printf("%-20s%llu (%llu mallocs - %llu frees)\n", "cache objects:",
	       v[CACHE_MALLOCS] >= v[CACHE_FREES] ?
	       v[CACHE_MALLOCS] - v[CACHE_FREES] : 0,
	       v[CACHE_MALLOCS], v[CACHE_FREES]);
}

static void print_totals(const struct view *vw)
{
	const struct stats *s = &vw->cur->stats;
	const u64 *v = s->v;
	char buf[NUM_LEN], rate[2][NUM_LEN];

	print_size_line("heap held:", s, HEAP_SYS);
	print_size_line("heap in use:", s, HEAP_INUSE);
	print_size_line("heap idle:", s, HEAP_IDLE);
	print_size_line("heap released:", s, HEAP_RELEASED);
	printf("%-20s%llu (%llu mallocs - %llu frees)\n", "live objects:",
	       v[MALLOCS] >= v[FREES] ? v[MALLOCS] - v[FREES] : 0,
	       v[MALLOCS], v[FREES]);
	print_cache_objects(s);
	print_size_line("live bytes:", s, HEAP_ALLOC);
	print_size_line("metadata:", s, METADATA_SYS);
	printf("%-20s%s\n", "fragmentation:",
	       fmt_percent(buf, sizeof(buf), v[HEAP_ALLOC], v[HEAP_INUSE]));
	printf("%-20s%llu invalid, %llu double\n", "bad frees:",
	       v[INVALID_FREES], v[DOUBLE_FREES]);
	print_count_line("corrupted objects:", s, CORRUPTED_OBJECTS);
	print_count_line("injected failures:", s, INJECTED_FAILURES);
	print_count_line("bad page refs:", s, BAD_PAGE_REFS);
	if (!vw->watch)
		return;
	printf("%-20s%s mallocs/s, %s frees/s\n", "rates:",
	       fmt_rate(rate[0], sizeof(rate[0]), &v[MALLOCS],
			stat_or_null(vw->prev, MALLOCS), vw->secs),
	       fmt_rate(rate[1], sizeof(rate[1]), &v[FREES],
			stat_or_null(vw->prev, FREES), vw->secs));
}

static int cmp_u64(u64 a, u64 b)
{
	return (a > b) - (a < b);
}

/* By object size, then class number or cache name. */
static int cmp_class(const struct class_line *a, const struct class_line *b)
{
	int c = cmp_u64(a->size, b->size);

	if (c)
		return c;
	if (a->name && b->name)
		return strcmp(a->name, b->name) ?: cmp_u64(a->row, b->row);
	return cmp_u64(a->v[CL_CLASS], b->v[CL_CLASS]);
}

static int cmp_size(const void *pa, const void *pb)
{
	return cmp_class(pa, pb);
}

static int cmp_memory(const void *pa, const void *pb)
{
	const struct class_line *a = pa, *b = pb;

	return cmp_u64(b->memory, a->memory) ?: cmp_class(a, b);
}

static int cmp_waste(const void *pa, const void *pb)
{
	const struct class_line *a = pa, *b = pb;

	return (a->waste < b->waste) - (a->waste > b->waste) ?:
	       cmp_memory(a, b);
}

static int cmp_activity(const void *pa, const void *pb)
{
	const struct class_line *a = pa, *b = pb;

	return cmp_u64(b->activity, a->activity) ?: cmp_class(a, b);
}

static int (*const sort_cmp[])(const void *, const void *) = {
	[SORT_SIZE] = cmp_size,
	[SORT_MEMORY] = cmp_memory,
	[SORT_WASTE] = cmp_waste,
	[SORT_ACTIVITY] = cmp_activity,
};

static u64 class_memory(const u64 *v)
{
	return mul_sat(mul_sat(v[CL_SPANS], v[CL_PAGES]), PAGE_SIZE);
}

static u64 class_used(const u64 *v)
{
	return mul_sat(v[CL_INUSE], v[CL_SIZE]);
}

static u64 cache_memory(const u64 *v)
{
	return mul_sat(mul_sat(v[CA_SPANS], v[CA_PAGES]), PAGE_SIZE);
}

static u64 cache_used(const u64 *v)
{
	return mul_sat(v[CA_INUSE], v[CA_STRIDE]);
}

/* Fill @l from row @i of the classes table, or of the caches table. */
static void class_line_init(struct class_line *l, const struct table *t,
			    size_t i, int cache)
{
	u64 used;

	l->row = i;
	l->v = table_row(t, i);
	if (cache) {
		l->name = t->names[i];
		l->size = l->v[CA_SIZE];
		l->memory_known = !(t->missing & (1U << CA_PAGES));
		l->memory = l->memory_known ? cache_memory(l->v) : 0;
		l->activity = add_sat(l->v[CA_MALLOCS], l->v[CA_FREES]);
		used = cache_used(l->v);
	} else {
		l->size = l->v[CL_SIZE];
		l->memory_known = 1;
		l->memory = class_memory(l->v);
		l->activity = add_sat(l->v[CL_MALLOCS], l->v[CL_FREES]);
		used = class_used(l->v);
	}
	l->waste = l->memory ? ((double)l->memory - (double)used) /
			       (double)l->memory : 0.0;
}

/*
 * The classes (or with @cache, the named caches) to list, sorted;
 * returns how many, or -1 without memory.
 */
static long select_classes(const struct table *t, const struct options *opt,
			   int cache, struct class_line **out)
{
	/* + 1: calloc(0, ...) may give NULL */
	struct class_line *lines = calloc(t->nr_rows + 1, sizeof(*lines));
	int spans = cache ? CA_SPANS : CL_SPANS;
	int mallocs = cache ? CA_MALLOCS : CL_MALLOCS;
	size_t i, n = 0;

	if (!lines)
		return -1;
	for (i = 0; i < t->nr_rows; i++) {
		const u64 *v = table_row(t, i);

		if (!opt->all && !v[spans] && !v[mallocs])
			continue;
		class_line_init(&lines[n++], t, i, cache);
	}
	qsort(lines, n, sizeof(*lines), sort_cmp[opt->sort]);
	if (opt->limit && n > opt->limit)
		n = opt->limit;
	*out = lines;
	return (long)n;
}

static void print_rates(const u64 *v, const u64 *pv, int mallocs, int frees,
			const struct view *vw)
{
	char rate[2][NUM_LEN];

	if (!vw->watch)
		return;
	printf(" %10s %10s",
	       fmt_rate(rate[0], sizeof(rate[0]), &v[mallocs],
			pv ? &pv[mallocs] : NULL, vw->secs),
	       fmt_rate(rate[1], sizeof(rate[1]), &v[frees],
			pv ? &pv[frees] : NULL, vw->secs));
}

static void print_class_line(const struct class_line *l, const struct view *vw)
{
	const u64 *v = l->v, *pv = NULL;
	char mem[NUM_LEN], waste[NUM_LEN];

	if (vw->prev)
		pv = find_row(&vw->prev->classes, l->row, CL_CLASS,
			      v[CL_CLASS]);
	printf("%5llu %6llu %6llu %9llu %9llu %6s %6s %12llu %12llu",
	       v[CL_CLASS], v[CL_SIZE], v[CL_SPANS], v[CL_INUSE], v[CL_FREE],
	       fmt_size(mem, sizeof(mem), l->memory),
	       fmt_percent(waste, sizeof(waste), class_used(v), l->memory),
	       v[CL_MALLOCS], v[CL_FREES]);
	print_rates(v, pv, CL_MALLOCS, CL_FREES, vw);
	putchar('\n');
}

static int print_classes(const struct view *vw, const struct options *opt)
{
	struct class_line *lines;
	long i, n = select_classes(&vw->cur->classes, opt, 0, &lines);

	if (n < 0) {
		error("out of memory");
		return -1;
	}
	printf("%5s %6s %6s %9s %9s %6s %6s %12s %12s", "class", "size",
	       "spans", "inuse", "free", "memory", "waste", "mallocs", "frees");
	if (vw->watch)
		printf(" %10s %10s", "mallocs/s", "frees/s");
	putchar('\n');
	for (i = 0; i < n; i++)
		print_class_line(&lines[i], vw);
	free(lines);
	return 0;
}

static void print_cache_line(const struct class_line *l,
			     const struct view *vw)
{
	const u64 *v = l->v, *pv = NULL;
	char mem[NUM_LEN] = "-", waste[NUM_LEN] = "-";

	if (vw->prev)
		pv = find_named_row(&vw->prev->caches, l->row, l->name);
	if (l->memory_known) {
		fmt_size(mem, sizeof(mem), l->memory);
		fmt_percent(waste, sizeof(waste), cache_used(v), l->memory);
	}
	printf("%-24s %6llu %6llu %6llu %9llu %6s %6s %12llu %12llu",
	       l->name, v[CA_SIZE], v[CA_STRIDE], v[CA_SPANS], v[CA_INUSE],
	       mem, waste, v[CA_MALLOCS], v[CA_FREES]);
	print_rates(v, pv, CA_MALLOCS, CA_FREES, vw);
	putchar('\n');
}

static int print_caches(const struct view *vw, const struct options *opt)
{
	struct class_line *lines;
	long i, n;

	if (!vw->cur->caches.nr_cols) {
		printf("named caches: unavailable (no %s/caches)\n", opt->dir);
		return 0;
	}
	n = select_classes(&vw->cur->caches, opt, 1, &lines);
	if (n < 0) {
		error("out of memory");
		return -1;
	}
	printf("%-24s %6s %6s %6s %9s %6s %6s %12s %12s", "cache", "size",
	       "stride", "spans", "inuse", "memory", "waste", "mallocs",
	       "frees");
	if (vw->watch)
		printf(" %10s %10s", "mallocs/s", "frees/s");
	putchar('\n');
	for (i = 0; i < n; i++)
		print_cache_line(&lines[i], vw);
	free(lines);
	return 0;
}

static void print_cpus(const struct view *vw, const struct options *opt)
{
	const struct table *t = &vw->cur->cpus;
	char bytes[NUM_LEN];
	size_t i;

	if (!t->nr_cols) {
		printf("per-CPU caches: unavailable (no %s/cpus)\n", opt->dir);
		return;
	}
	printf("%5s %6s %9s %6s %12s %12s", "cpu", "online", "objects",
	       "bytes", "mallocs", "frees");
	if (vw->watch)
		printf(" %10s %10s", "mallocs/s", "frees/s");
	putchar('\n');
	for (i = 0; i < t->nr_rows; i++) {
		const u64 *v = table_row(t, i), *pv = NULL;

		if (vw->prev)
			pv = find_row(&vw->prev->cpus, i, CPU_CPU, v[CPU_CPU]);
		printf("%5llu %6s %9llu %6s %12llu %12llu", v[CPU_CPU],
		       v[CPU_ONLINE] ? "yes" : "no", v[CPU_OBJECTS],
		       fmt_size(bytes, sizeof(bytes), v[CPU_BYTES]),
		       v[CPU_MALLOCS], v[CPU_FREES]);
		print_rates(v, pv, CPU_MALLOCS, CPU_FREES, vw);
		putchar('\n');
	}
}

static void check_totals(const struct stats *s)
{
	const u64 *v = s->v;
	u64 sum = add_sat(v[HEAP_INUSE], v[HEAP_IDLE]);
	char buf[NUM_LEN];

	if (sum != v[HEAP_SYS])
		warning("heap_inuse + heap_idle = %s, but heap_sys = %llu",
			fmt_sat(buf, sizeof(buf), sum), v[HEAP_SYS]);
	if (v[HEAP_ALLOC] > v[HEAP_INUSE])
		warning("heap_alloc = %llu exceeds heap_inuse = %llu",
			v[HEAP_ALLOC], v[HEAP_INUSE]);
	if (v[FREES] > v[MALLOCS])
		warning("frees = %llu exceed mallocs = %llu", v[FREES],
			v[MALLOCS]);
}

static void check_class(const u64 *v)
{
	u64 slots = mul_sat(v[CL_SPANS], v[CL_OBJS]);
	u64 sum = add_sat(v[CL_INUSE], v[CL_FREE]);
	char buf[2][NUM_LEN];

	if (sum != slots)
		warning("class %llu: inuse + free = %s, but spans * objs/span = %s",
			v[CL_CLASS], fmt_sat(buf[0], sizeof(buf[0]), sum),
			fmt_sat(buf[1], sizeof(buf[1]), slots));
	if (v[CL_FREES] > v[CL_MALLOCS])
		warning("class %llu: frees = %llu exceed mallocs = %llu",
			v[CL_CLASS], v[CL_FREES], v[CL_MALLOCS]);
	else if (v[CL_INUSE] != v[CL_MALLOCS] - v[CL_FREES])
		warning("class %llu: inuse = %llu, but mallocs - frees = %llu",
			v[CL_CLASS], v[CL_INUSE], v[CL_MALLOCS] - v[CL_FREES]);
}

static void check_classes(const struct stats *s, const struct table *t,
			  struct sums *sum)
{
	char buf[NUM_LEN];
	size_t i;

	for (i = 0; i < t->nr_rows; i++) {
		const u64 *v = table_row(t, i);

		check_class(v);
		sum->used = add_sat(sum->used, class_used(v));
		sum->memory = add_sat(sum->memory, class_memory(v));
		sum->spans = add_sat(sum->spans, v[CL_SPANS]);
	}
	if (sum->used > s->v[HEAP_ALLOC])
		warning("classes hold %s bytes of objects in use, more than heap_alloc = %llu",
			fmt_sat(buf, sizeof(buf), sum->used), s->v[HEAP_ALLOC]);
	if (sum->memory > s->v[HEAP_INUSE])
		warning("class spans take %s bytes, more than heap_inuse = %llu",
			fmt_sat(buf, sizeof(buf), sum->memory), s->v[HEAP_INUSE]);
	if (sum->spans > s->v[SPANS_INUSE])
		warning("classes hold %s spans, more than spans_inuse = %llu",
			fmt_sat(buf, sizeof(buf), sum->spans), s->v[SPANS_INUSE]);
}

static void check_cache(const char *name, const u64 *v, int memory_known)
{
	u64 used = cache_used(v), memory = cache_memory(v);
	char buf[2][NUM_LEN];

	if (v[CA_FREES] > v[CA_MALLOCS])
		warning("cache %s: frees = %llu exceed mallocs = %llu", name,
			v[CA_FREES], v[CA_MALLOCS]);
	else if (v[CA_INUSE] != v[CA_MALLOCS] - v[CA_FREES])
		warning("cache %s: inuse = %llu, but mallocs - frees = %llu",
			name, v[CA_INUSE], v[CA_MALLOCS] - v[CA_FREES]);
	if (memory_known && used > memory)
		warning("cache %s: inuse * stride = %s, more than spans * pages * 4096 = %s",
			name, fmt_sat(buf[0], sizeof(buf[0]), used),
			fmt_sat(buf[1], sizeof(buf[1]), memory));
}

/* @sum: the classes' sums, to which the caches' are added. */
static void check_caches_total(const struct stats *s, const struct sums *cl,
			       const struct sums *sum)
{
	char buf[NUM_LEN];

	if (cl->used <= s->v[HEAP_ALLOC] && sum->used > s->v[HEAP_ALLOC])
		warning("classes and caches hold %s bytes in use, more than heap_alloc = %llu",
			fmt_sat(buf, sizeof(buf), sum->used), s->v[HEAP_ALLOC]);
	if (cl->memory <= s->v[HEAP_INUSE] && sum->memory > s->v[HEAP_INUSE])
		warning("class and cache spans take %s bytes, more than heap_inuse = %llu",
			fmt_sat(buf, sizeof(buf), sum->memory), s->v[HEAP_INUSE]);
	if (cl->spans <= s->v[SPANS_INUSE] && sum->spans > s->v[SPANS_INUSE])
		warning("classes and caches hold %s spans, more than spans_inuse = %llu",
			fmt_sat(buf, sizeof(buf), sum->spans), s->v[SPANS_INUSE]);
}

/* A stats line, if the file has it, below @sum of a column. */
static void check_cache_count(const struct stats *s, int id, u64 sum,
			      const char *what)
{
	char buf[NUM_LEN];

	if ((s->present & (1U << id)) && sum > s->v[id])
		warning("caches did %s %s, more than %s = %llu",
			fmt_sat(buf, sizeof(buf), sum), what, stat_names[id],
			s->v[id]);
}

static void check_caches(const struct stats *s, const struct table *t,
			 const struct sums *classes)
{
	int memory_known = !(t->missing & (1U << CA_PAGES));
	struct sums sum = *classes;
	u64 mallocs = 0, frees = 0;
	size_t i;

	for (i = 0; i < t->nr_rows; i++) {
		const u64 *v = table_row(t, i);

		check_cache(t->names[i], v, memory_known);
		sum.used = add_sat(sum.used, cache_used(v));
		if (memory_known)
			sum.memory = add_sat(sum.memory, cache_memory(v));
		sum.spans = add_sat(sum.spans, v[CA_SPANS]);
		mallocs = add_sat(mallocs, v[CA_MALLOCS]);
		frees = add_sat(frees, v[CA_FREES]);
	}
	check_caches_total(s, classes, &sum);
	check_cache_count(s, CACHE_MALLOCS, mallocs, "mallocs");
	check_cache_count(s, CACHE_FREES, frees, "frees");
}

static void check_cpus(const struct stats *s, const struct table *t)
{
	u64 mallocs = 0, frees = 0;
	char buf[NUM_LEN];
	size_t i;

	for (i = 0; i < t->nr_rows; i++) {
		mallocs = add_sat(mallocs, table_row(t, i)[CPU_MALLOCS]);
		frees = add_sat(frees, table_row(t, i)[CPU_FREES]);
	}
	if (mallocs > s->v[MALLOCS])
		warning("CPUs did %s mallocs, more than mallocs = %llu",
			fmt_sat(buf, sizeof(buf), mallocs), s->v[MALLOCS]);
	if (frees > s->v[FREES])
		warning("CPUs did %s frees, more than frees = %llu",
			fmt_sat(buf, sizeof(buf), frees), s->v[FREES]);
}

static int print_sample(const struct view *vw, const struct options *opt)
{
	const struct sample *s = vw->cur;
	unsigned int show = opt->show;
	struct sums classes = { 0 };
	int sep = 0;

	if (show & SHOW_TOTALS) {
		print_totals(vw);
		sep = 1;
	}
	if (show & SHOW_CLASSES) {
		if (sep)
			putchar('\n');
		if (print_classes(vw, opt))
			return -1;
		sep = 1;
	}
	if (show & SHOW_CACHES) {
		if (sep)
			putchar('\n');
		if (print_caches(vw, opt))
			return -1;
		sep = 1;
	}
	if (show & SHOW_CPUS) {
		if (sep)
			putchar('\n');
		print_cpus(vw, opt);
	}
	check_totals(&s->stats);
	check_classes(&s->stats, &s->classes, &classes);
	check_caches(&s->stats, &s->caches, &classes);
	check_cpus(&s->stats, &s->cpus);
	return 0;
}

static double elapsed(const struct timespec *from, const struct timespec *to)
{
	return (double)(to->tv_sec - from->tv_sec) +
	       (double)(to->tv_nsec - from->tv_nsec) / 1e9;
}

/* Sleep until @start + @n intervals. */
static void sleep_until(const struct timespec *start, unsigned long n,
			double interval)
{
	u64 ns = add_sat(mul_sat((u64)(interval * 1e9), n), start->tv_nsec);
	struct timespec t = {
		.tv_sec = start->tv_sec + (time_t)(ns / 1000000000),
		.tv_nsec = (long)(ns % 1000000000),
	};

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) ==
	       EINTR)
		;
}

static void print_watch_header(const struct options *opt, unsigned long n)
{
	if (isatty(STDOUT_FILENO))
		fputs("\033[H\033[2J", stdout);
	else if (n > 1)
		putchar('\n');
	printf(PROG ": %s every %gs, sample %lu", opt->dir, opt->interval, n);
	if (opt->count)
		printf(" of %lu", opt->count);
	fputs("\n\n", stdout);
}

/* Prints the samples; after the first, with the rates since the one before. */
static int run(const struct options *opt)
{
	struct view vw = { .watch = opt->interval > 0 };
	struct sample samples[2], *cur, *prev = NULL;
	struct timespec start;
	unsigned long n;
	int ret;

	for (n = 1; ; n++) {
		cur = &samples[n & 1];
		if (n > 1)
			sleep_until(&start, n - 1, opt->interval);
		if (read_sample(opt->dir, cur)) {
			ret = -1;
			break;
		}
		if (n == 1)
			start = cur->time;
		if (vw.watch)
			print_watch_header(opt, n);
		vw.cur = cur;
		vw.prev = prev;
		vw.secs = prev ? elapsed(&prev->time, &cur->time) : 0;
		ret = print_sample(&vw, opt);
		if (fflush(stdout) || ferror(stdout)) {
			error("stdout: %s", strerror(errno));
			ret = -1;
		}
		if (prev)
			sample_free(prev);
		prev = cur;
		if (ret || !vw.watch || n == opt->count)
			break;
	}
	if (prev)
		sample_free(prev);
	return ret;
}

static int parse_ulong(const char *arg, unsigned long *val)
{
	u64 v;

	if (parse_u64(arg, &v) || v > ULONG_MAX)
		return -1;
	*val = v;
	return 0;
}

static int parse_sort(const char *arg, enum sort_key *key)
{
	static const char *const names[] = {
		[SORT_SIZE] = "size",
		[SORT_MEMORY] = "memory",
		[SORT_WASTE] = "waste",
		[SORT_ACTIVITY] = "activity",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (!strcmp(arg, names[i])) {
			*key = i;
			return 0;
		}
	}
	return -1;
}

static int parse_interval(const char *arg, double *secs)
{
	char *end;

	errno = 0;
	*secs = strtod(arg, &end);
	if (errno || end == arg || *end || !isfinite(*secs) || *secs <= 0 ||
	    *secs > 1e6)
		return -1;
	return 0;
}

/* Applies option @c; -1 with a message if its argument is bad. */
static int parse_option(int c, const char *arg, struct options *opt)
{
	switch (c) {
	case 'd':
		opt->dir = arg;
		return 0;
	case 't':
		opt->show |= SHOW_TOTALS;
		return 0;
	case 'C':
		opt->show |= SHOW_CLASSES;
		return 0;
	case 'p':
		opt->show |= SHOW_CPUS;
		return 0;
	case 'k':
		opt->show |= SHOW_CACHES;
		return 0;
	case 'a':
		opt->all = 1;
		return 0;
	case 'b':
		exact_bytes = 1;
		return 0;
	case 's':
		if (!parse_sort(arg, &opt->sort))
			return 0;
		error("-s %s: sort by size, memory, waste or activity", arg);
		return -1;
	case 'n':
		if (!parse_ulong(arg, &opt->limit))
			return 0;
		error("-n %s: not a number of classes or caches", arg);
		return -1;
	case 'w':
		if (!parse_interval(arg, &opt->interval))
			return 0;
		error("-w %s: not a number of seconds above 0", arg);
		return -1;
	case 'c':
		if (!parse_ulong(arg, &opt->count) && opt->count)
			return 0;
		error("-c %s: not a count above 0", arg);
		return -1;
	case ':':
		error("option -%c needs an argument", optopt);
		return -1;
	default:
		error("unknown option -%c", optopt);
		return -1;
	}
}

/* 0 to run, 1 after -h, -1 on bad usage (after the usage text). */
static int parse_options(int argc, char **argv, struct options *opt)
{
	int c;

	memset(opt, 0, sizeof(*opt));
	opt->dir = DEFAULT_DIR;
	opterr = 0;
	while ((c = getopt(argc, argv, ":d:tCkpabs:n:w:c:h")) != -1) {
		if (c == 'h') {
			fputs(usage_text, stdout);
			return 1;
		}
		if (parse_option(c, optarg, opt))
			goto usage;
	}
	if (optind < argc) {
		error("unexpected argument \"%s\"", argv[optind]);
		goto usage;
	}
	if (!opt->show)
		opt->show = SHOW_TOTALS | SHOW_CLASSES | SHOW_CACHES | SHOW_CPUS;
	if (opt->count && !opt->interval)
		opt->interval = 1;
	return 0;
usage:
	fputs(usage_text, stderr);
	return -1;
}

int main(int argc, char **argv)
{
	struct options opt;
	int ret = parse_options(argc, argv, &opt);

	if (ret)
		return ret < 0 ? 2 : 0;
	return run(&opt) ? 1 : 0;
}
