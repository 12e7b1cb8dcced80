// SPDX-License-Identifier: GPL-2.0-only
/*
 * gosalloc_charge.c - a client that allocates through gosalloc with
 * __GFP_ACCOUNT on behalf of whoever writes to it, for the kselftest
 * gosalloc_memcg.sh, which checks that the writer's memory cgroup is
 * charged.
 *
 * debugfs file gosalloc_charge/ctl:
 *
 *	write "alloc N SIZE"	allocate N objects of SIZE bytes with
 *				GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL
 *				(a charge over memory.max fails rather than
 *				OOM-kill the writer); they are kept. The
 *				write fails with -ENOMEM at the first object
 *				gosalloc refuses; the objects before it stay.
 *	write "cache N"	the same with N objects of a SLAB_ACCOUNT cache
 *				of 200-byte objects aligned to a cache line,
 *				allocated with GFP_KERNEL | __GFP_RETRY_MAYFAIL
 *	write "free"		free every object kept
 *	read			"objects N bytes B error E": what is kept
 *				(cache objects included), and the error of
 *				the last write (0 or -errno), so that a
 *				writer at memory.max need not write an error
 *				message, which would be charged to it
 *
 * The array of pointers (room for CHARGE_MAX_OBJS) is allocated at load
 * and not charged.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <gosalloc.h>

#define CHARGE_GFP	(GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL | __GFP_NOWARN)
#define CHARGE_MAX_OBJS	BIT(18)

#define CHARGE_CACHE_SIZE	200

static DEFINE_MUTEX(charge_lock);
static void **objs;		/* CHARGE_MAX_OBJS of them: charge_lock */
static unsigned int nobjs;	/* charge_lock */
static void **cobjs;		/* of charge_cache, as objs: charge_lock */
static unsigned int ncobjs;	/* charge_lock */
static struct gosalloc_cache *charge_cache;
static unsigned long nbytes;	/* charge_lock */
static int last_err;		/* of the last write: charge_lock */
static struct dentry *charge_dir;

static void charge_free_all(void)
{
	while (nobjs)
		gosalloc_free(objs[--nobjs]);
	while (ncobjs)
		gosalloc_cache_free(charge_cache, cobjs[--ncobjs]);
	nbytes = 0;
}

static int charge_cache_alloc(unsigned int n)
{
	if (!n || n > CHARGE_MAX_OBJS - ncobjs)
		return -EINVAL;
	while (n--) {
		cobjs[ncobjs] = gosalloc_cache_alloc(charge_cache,
						     GFP_KERNEL | __GFP_RETRY_MAYFAIL |
						     __GFP_NOWARN);
		if (!cobjs[ncobjs])
			return -ENOMEM;
		ncobjs++;
		nbytes += CHARGE_CACHE_SIZE;
	}
	return 0;
}

static int charge_alloc(unsigned int n, size_t size)
{
	if (!n || n > CHARGE_MAX_OBJS - nobjs)
		return -EINVAL;
	while (n--) {
		objs[nobjs] = gosalloc_alloc(size, CHARGE_GFP);
		if (!objs[nobjs])
			return -ENOMEM;
		nobjs++;
		nbytes += size;
	}
	return 0;
}

static ssize_t ctl_write(struct file *file, const char __user *ubuf,
			 size_t len, loff_t *ppos)
{
	unsigned int n;
	char buf[64];
	size_t size;
	int err = -EINVAL;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	mutex_lock(&charge_lock);
	if (sscanf(buf, "alloc %u %zu", &n, &size) == 2) {
		err = charge_alloc(n, size);
	} else if (sscanf(buf, "cache %u", &n) == 1) {
		err = charge_cache_alloc(n);
	} else if (sysfs_streq(buf, "free")) {
		charge_free_all();
		err = 0;
	}
	last_err = err;
	mutex_unlock(&charge_lock);
	return err ? err : len;
}

static ssize_t ctl_read(struct file *file, char __user *ubuf, size_t len,
			loff_t *ppos)
{
	char buf[64];
	int n;

	mutex_lock(&charge_lock);
	n = scnprintf(buf, sizeof(buf), "objects %u bytes %lu error %d\n",
		      nobjs + ncobjs, nbytes, last_err);
	mutex_unlock(&charge_lock);
	return simple_read_from_buffer(ubuf, len, ppos, buf, n);
}

static const struct file_operations ctl_fops = {
	.owner = THIS_MODULE,
	.read = ctl_read,
	.write = ctl_write,
	.llseek = default_llseek,
};

static int __init charge_init(void)
{
	objs = kvcalloc(CHARGE_MAX_OBJS, sizeof(*objs), GFP_KERNEL);
	cobjs = kvcalloc(CHARGE_MAX_OBJS, sizeof(*cobjs), GFP_KERNEL);
	charge_cache = gosalloc_cache_create("gosalloc_charge", CHARGE_CACHE_SIZE,
					     0, SLAB_HWCACHE_ALIGN | SLAB_ACCOUNT,
					     NULL);
	if (!objs || !cobjs || !charge_cache) {
		kvfree(objs);
		kvfree(cobjs);
		if (charge_cache)
			gosalloc_cache_destroy(charge_cache);
		return -ENOMEM;
	}
	charge_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("ctl", 0600, charge_dir, NULL, &ctl_fops);
	return 0;
}

static void __exit charge_exit(void)
{
	debugfs_remove_recursive(charge_dir);
	charge_free_all();
	gosalloc_cache_destroy(charge_cache);
	kvfree(objs);
	kvfree(cobjs);
}

module_init(charge_init);
module_exit(charge_exit);
MODULE_DESCRIPTION("gosalloc test: allocations charged to the writer's memory cgroup");
MODULE_LICENSE("GPL");
