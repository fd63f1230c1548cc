/*
 * cpu-profile.d: Heatline's CPU sampling on macOS (src-main/record/instruments.ts).
 * dtrace's profile provider fires on every CPU $1 times a second; each firing
 * in the target process counts its user stack. At the end dtrace prints every
 * distinct stack (leaf first, "module`function+0xoffset" per line) followed
 * by its count, which src-main/record/outputs/dtrace.ts turns into collapsed
 * stacks.
 *
 * Run: dtrace -q -o OUT {-c 'CMD' | -p PID} -s cpu-profile.d FREQUENCY SECONDS
 *   $target   the process given by -c or -p
 *   $1        samples per second (the probe name takes the macro argument)
 *   $2        stop after this many seconds; 0 = until Ctrl+C or the command exits
 *
 * Needs root; with System Integrity Protection on, dtrace cannot trace
 * processes of protected system binaries.
 */

#pragma D option quiet
#pragma D option ustackframes=256
#pragma D option defaultargs

profile-$1
/pid == $target/
{
  @stacks[ustack()] = count();
}

tick-1s
/$2 > 0 && ++seconds >= $2/
{
  exit(0);
}

dtrace:::END
{
  printa(@stacks);
}
