import { backup, BACKUP_USAGE } from './backup';
import { gc, GC_USAGE } from './gc';
import { restore, RESTORE_USAGE } from './restore';
import { verify, VERIFY_USAGE } from './verify';

/** Maintenance subcommands; they use the same storage settings (flags, environment) as serve. */
export const OPS_COMMANDS: Record<string, (argv: string[]) => Promise<void>> = {
  verify,
  gc,
  backup,
  restore
};

export const OPS_USAGE = [VERIFY_USAGE, GC_USAGE, BACKUP_USAGE, RESTORE_USAGE]
  .map(u => `  ${u}`)
  .join('\n');
