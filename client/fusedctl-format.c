// SPDX-License-Identifier: GPL-2.0-or-later
/* fusedctl output: the table, JSON, user names, times and types. */
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fusedctl.h"
#include "json.h"

const char *fusedctl_user_name(uint32_t uid, char *buf, size_t size) {
        struct passwd *pw = getpwuid(uid);

        if (pw)
                snprintf(buf, size, "%s", pw->pw_name);
        else
                snprintf(buf, size, "%u", uid);
        return buf;
}

void fusedctl_format_time(uint64_t usec, char *buf, size_t size) {
        time_t t = (time_t) (usec / 1000000);
        struct tm tm;

        if (usec == 0 || !localtime_r(&t, &tm) ||
            strftime(buf, size, "%a %Y-%m-%d %H:%M:%S %Z", &tm) == 0)
                snprintf(buf, size, "n/a");
}

void fusedctl_fstype_of(const struct fused_mount_info *i, char *buf, size_t size) {
        if (i->subtype && *i->subtype)
                snprintf(buf, size, "fuse.%s", i->subtype);
        else
                snprintf(buf, size, "fuse");
}

void fusedctl_print_json(const struct fused_mount_info *a, size_t n) {
        fputc('[', stdout);
        for (size_t k = 0; k < n; k++) {
                fputs(k ? ",\n {" : "\n {", stdout);
                fputs("\"object\":", stdout);
                json_write_string(stdout, a[k].object);
                fputs(",\"mountpoint\":", stdout);
                json_write_string(stdout, a[k].mountpoint);
                printf(",\"owner\":%u,\"pid\":%u", a[k].owner, a[k].pid);
                fputs(",\"fsname\":", stdout);
                json_write_string(stdout, a[k].fsname);
                fputs(",\"subtype\":", stdout);
                json_write_string(stdout, a[k].subtype);
                fputs(",\"options\":", stdout);
                json_write_string(stdout, a[k].options);
                printf(",\"created_usec\":%llu}", (unsigned long long) a[k].created_usec);
        }
        fputs(n ? "\n]\n" : "]\n", stdout);
}

static int width_max(int w, const char *s) {
        int l = (int) strlen(s ? s : "");
        return l > w ? l : w;
}

void fusedctl_print_table(const struct fused_mount_info *a, size_t n) {
        int wmp = strlen("MOUNTPOINT"), wtype = strlen("TYPE"), wsrc = strlen("SOURCE"),
            wown = strlen("OWNER");
        char type[300], owner[64];

        for (size_t k = 0; k < n; k++) {
                fusedctl_fstype_of(&a[k], type, sizeof(type));
                wmp = width_max(wmp, a[k].mountpoint);
                wtype = width_max(wtype, type);
                wsrc = width_max(wsrc, a[k].fsname);
                wown = width_max(wown, fusedctl_user_name(a[k].owner, owner, sizeof(owner)));
        }
        if (fusedctl_arg.legend)
                printf("%-*s %-*s %-*s %-*s %7s %s\n", wmp, "MOUNTPOINT", wtype, "TYPE",
                       wsrc, "SOURCE", wown, "OWNER", "PID", "OPTIONS");
        for (size_t k = 0; k < n; k++) {
                fusedctl_fstype_of(&a[k], type, sizeof(type));
                printf("%-*s %-*s %-*s %-*s %7u %s\n", wmp, a[k].mountpoint, wtype, type,
                       wsrc, a[k].fsname, wown, fusedctl_user_name(a[k].owner, owner, sizeof(owner)),
                       a[k].pid, a[k].options);
        }
        if (fusedctl_arg.legend)
                printf("\n%zu mount%s listed.\n", n, n == 1 ? "" : "s");
}
