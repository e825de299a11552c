/*
 * rtime.c: a stand-in for `/usr/bin/time -f '%e %M'` on machines without
 * GNU time. Runs the command, then prints to stderr one line "SECONDS
 * MAXRSS_KB" (wall time, peak resident set of the child) and exits with the
 * command's status (128+N when killed by signal N). With -o FILE the line
 * goes to FILE instead, like GNU time's -o.
 *
 * usage: rtime [-o FILE] COMMAND [ARG...]
 */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	struct rusage ru;
	FILE *report = stderr;
	int status;
	pid_t pid;

	if (argc > 2 && strcmp(argv[1], "-o") == 0) {
		report = fopen(argv[2], "w");
		if (!report) {
			perror(argv[2]);
			return 2;
		}
		argv += 2;
		argc -= 2;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: rtime [-o FILE] COMMAND [ARG...]\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid < 0) {
		perror("rtime: fork");
		return 2;
	}
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		perror("rtime: exec");
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) < 0) {
		perror("rtime: wait4");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fprintf(report, "%.3f %ld\n", (double)(t1.tv_sec - t0.tv_sec) +
		(double)(t1.tv_nsec - t0.tv_nsec) / 1e9, ru.ru_maxrss);
	if (report != stderr)
		fclose(report);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
