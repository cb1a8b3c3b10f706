/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fused D-Bus protocol: the one place that names the service, its methods,
 * flags, errors, polkit actions and limits.  fused, the client library, the
 * tools and the tests all include this file; the introspection XML in doc/
 * must agree with it. */
#pragma once

#define FUSED_BUS_NAME                  "org.freedesktop.fuse1"
#define FUSED_OBJECT_PATH               "/org/freedesktop/fuse1"
#define FUSED_MANAGER_INTERFACE         "org.freedesktop.fuse1.Manager"
#define FUSED_MOUNT_INTERFACE           "org.freedesktop.fuse1.Mount"
/* A mount's object is FUSED_MOUNT_PATH_PREFIX "/" <decimal id>. */
#define FUSED_MOUNT_PATH_PREFIX         "/org/freedesktop/fuse1/mount"

/* Manager.Mount(s mountpoint, s options, a{sv} flags) -> (h fuse_fd, o mount)
 *
 * mountpoint: absolute path.  Without FUSED_FLAG_MOUNTPOINT_FD fused resolves
 *   it as the caller (caller's mount namespace, root and credentials, no
 *   symlink in the last component).  With the flag, the fd is what gets
 *   mounted on; the path must then name the same inode and is what is shown.
 * options: the fuse(8) option string, comma separated, "\," escapes a comma.
 * Interactive polkit authorization is allowed only when the message carries
 * the ALLOW_INTERACTIVE_AUTHORIZATION header flag.
 * Reply: the /dev/fuse fd, already mounted, and the mount's object path. */
#define FUSED_METHOD_MOUNT              "Mount"
#define FUSED_METHOD_MOUNT_IN           "ssa{sv}"
#define FUSED_METHOD_MOUNT_OUT          "ho"
#define FUSED_FLAG_MOUNTPOINT_FD        "mountpoint-fd"   /* h */
#define FUSED_FLAG_AUTO_UNMOUNT         "auto-unmount"    /* b: unmount when the caller's bus connection goes away */

/* Manager.Unmount(s mountpoint, a{sv} flags) -> () */
#define FUSED_METHOD_UNMOUNT            "Unmount"
#define FUSED_METHOD_UNMOUNT_IN         "sa{sv}"
#define FUSED_FLAG_LAZY                 "lazy"            /* b: MNT_DETACH */

/* Manager.ListMounts() -> a(osuussst)
 * (object, mountpoint, owner uid, pid, fsname, subtype, options, created usec CLOCK_REALTIME) */
#define FUSED_METHOD_LIST_MOUNTS        "ListMounts"
#define FUSED_METHOD_LIST_MOUNTS_OUT    "a(osuussst)"
#define FUSED_MOUNT_ENTRY_SIG           "(osuussst)"

/* org.freedesktop.fuse1.Mount read-only properties */
#define FUSED_PROP_MOUNTPOINT           "Mountpoint"        /* s */
#define FUSED_PROP_OWNER                "Owner"             /* u */
#define FUSED_PROP_PID                  "Pid"               /* u */
#define FUSED_PROP_FSNAME               "FsName"            /* s */
#define FUSED_PROP_SUBTYPE              "Subtype"           /* s */
#define FUSED_PROP_OPTIONS              "Options"           /* s */
#define FUSED_PROP_CREATION_TIMESTAMP   "CreationTimestamp" /* t, usec CLOCK_REALTIME */
#define FUSED_PROP_AUTO_UNMOUNT         "AutoUnmount"       /* b */

/* Errors.  The message of each says what the user can do about it. */
#define FUSED_ERROR_PREFIX              "org.freedesktop.fuse1.Error."
#define FUSED_ERROR_PERMISSION_DENIED   FUSED_ERROR_PREFIX "PermissionDenied"
#define FUSED_ERROR_MOUNTPOINT_NOT_ALLOWED FUSED_ERROR_PREFIX "MountpointNotAllowed"
#define FUSED_ERROR_TOO_MANY_MOUNTS     FUSED_ERROR_PREFIX "TooManyMounts"
#define FUSED_ERROR_INVALID_OPTION      FUSED_ERROR_PREFIX "InvalidOption"
#define FUSED_ERROR_INVALID_ARGUMENT    FUSED_ERROR_PREFIX "InvalidArgument"
#define FUSED_ERROR_NOT_MOUNTED         FUSED_ERROR_PREFIX "NotMounted"
#define FUSED_ERROR_NOT_OWNER           FUSED_ERROR_PREFIX "NotOwner"
#define FUSED_ERROR_NOT_FUSE            FUSED_ERROR_PREFIX "NotFuse"
#define FUSED_ERROR_POLKIT_UNAVAILABLE  FUSED_ERROR_PREFIX "PolkitUnavailable"
#define FUSED_ERROR_TOO_MANY_REQUESTS   FUSED_ERROR_PREFIX "TooManyRequests"
#define FUSED_ERROR_MOUNT_FAILED        FUSED_ERROR_PREFIX "MountFailed"

/* polkit actions */
#define FUSED_ACTION_MOUNT              "org.freedesktop.fuse1.mount"
#define FUSED_ACTION_MOUNT_ALLOW_OTHER  "org.freedesktop.fuse1.mount-allow-other"
#define FUSED_ACTION_MOUNT_UNSAFE       "org.freedesktop.fuse1.mount-unsafe-options"
#define FUSED_ACTION_UNMOUNT_OTHER      "org.freedesktop.fuse1.unmount-other"

/* Details passed with every polkit check, for rules.d to decide on. */
#define FUSED_DETAIL_MOUNTPOINT         "mountpoint"
#define FUSED_DETAIL_FSTYPE             "fstype"
#define FUSED_DETAIL_SUBTYPE            "subtype"
#define FUSED_DETAIL_OPTIONS            "options"
#define FUSED_DETAIL_UID                "uid"
#define FUSED_DETAIL_NAMESPACE          "namespace"

/* Limits on what a caller controls. */
#define FUSED_OPTIONS_MAX               4096u   /* bytes in the option string */
#define FUSED_NAME_MAX                  255u    /* fsname, subtype */
#define FUSED_REQUESTS_PER_UID_MAX      16u     /* Mount/Unmount in flight per uid */
#define FUSED_MOUNT_MAX_DEFAULT         1000u   /* fuse.conf mount_max default */
