/* skintrack — the command-line program: subcommand dispatch.
 *
 *   skintrack COMMAND [options] [files]
 *   skintrack help [COMMAND] | --help | --version
 *
 * --help prints to stdout and exits 0; misuse prints one line to stderr and
 * exits 2.
 */
#include <stdio.h>
#include <string.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "cli.h"

static const cli_command *const commands[] = {
    &cli_info_command,    &cli_align_command,  &cli_metrics_command,
    &cli_compare_command, &cli_course_command, &cli_report_command,
    &cli_synth_command,   &cli_chart_command,
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void print_usage(FILE *f)
{
    fputs("Usage: skintrack COMMAND [OPTIONS] FILE...\n"
          "Measure skin in before/after photos of a treatment course.\n\n"
          "Commands:\n",
          f);
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
    fputs("  help       show a command's options: skintrack help COMMAND\n\n"
          "Options:\n"
          "  -h, --help     show this help\n"
          "  -V, --version  show the version and the libraries in use\n\n"
          "Exit status: 0 all inputs good, 1 some inputs failed (each has a\n"
          "row with status and error), 2 usage error.\n"
          "Manual: man skintrack\n",
          f);
}

/* A photo's planes are a few blocks of 12-150 MB, allocated and freed
 * once per photo and stage. glibc serves each with its own mmap and gives
 * it back on free, so the next photo's planes are fresh pages again, and
 * the kernel zeroes them on first touch (about 0.5 ms per MB here). Taken
 * from the heap and never trimmed, freed planes are reused as they are:
 * a 12 MP compare 8% faster, course 13% (measured in docs/performance.md).
 * The price is that the heap does not shrink while a command runs. The
 * library's buffers of 1 MB and more (st_alloc_large: images, planes,
 * masks) are since mappings of their own in huge pages, given back at
 * once, which this does not touch; it keeps the rest (FFT buffers,
 * smaller planes). */
static void keep_freed_memory(void)
{
#if defined(__GLIBC__) && defined(M_MMAP_MAX) && defined(M_TRIM_THRESHOLD)
    mallopt(M_MMAP_MAX, 0);
    mallopt(M_TRIM_THRESHOLD, 0x7fffffff);
#endif
}

static const cli_command *find(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i]->name, name) == 0)
            return commands[i];
    return NULL;
}

int main(int argc, char **argv)
{
    const cli_command *cmd;
    const char *name;

    if (argc < 2) {
        fputs("skintrack: no command given (see 'skintrack --help')\n", stderr);
        return CLI_EXIT_USAGE;
    }
    name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
        print_usage(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0) {
        char libs[256];
        printf("skintrack %s\n%s\n", st_version(),
               st_version_libraries(libs, sizeof libs));
        return CLI_EXIT_OK;
    }
    if (strcmp(name, "help") == 0) {
        if (argc < 3) {
            print_usage(stdout);
            return CLI_EXIT_OK;
        }
        cmd = find(argv[2]);
        if (!cmd) {
            cli_error("no command '%s' (see 'skintrack --help')", argv[2]);
            return CLI_EXIT_USAGE;
        }
        cli_print_help(cmd);
        return CLI_EXIT_OK;
    }
    keep_freed_memory();
    cmd = find(name);
    if (!cmd) {
        cli_error("%s '%s' (see 'skintrack --help')",
                  name[0] == '-' ? "unknown option" : "no command", name);
        return CLI_EXIT_USAGE;
    }
    return cmd->run(argc - 1, argv + 1);
}
