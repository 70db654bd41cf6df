/** Whether a process with this id runs: signal 0 checks that it exists and sends nothing. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
