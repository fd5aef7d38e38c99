#!/usr/bin/env node
import { parseServeArgs } from './config';
import { serve } from './serve';
import { LIMITS_USAGE } from './limits/config';
import { WEBHOOKS_USAGE } from './outbox/config';
import { OPS_COMMANDS, OPS_USAGE } from './ops';
import { openapi, OPENAPI_USAGE } from './openapi';

const USAGE = `usage: modelreg-server [serve] [--port 8765] [--host 127.0.0.1] [--data-dir ./.modelreg] [--log-level info]

Subcommands:
  serve   run the registry (default)
${OPS_USAGE}
  ${OPENAPI_USAGE}

${LIMITS_USAGE}

${WEBHOOKS_USAGE}

Environment: MODELREG_DATABASE_URL=postgres://... (metadata in PostgreSQL instead of <data-dir>/registry.sqlite),
MODELREG_DATABASE_SCHEMA (PostgreSQL schema), MODELREG_ADMIN_TOKEN (the admin's token on first start).`;

const COMMANDS: Record<string, (argv: string[]) => Promise<void>> = {
  serve: argv => serve(parseServeArgs(argv)),
  ...OPS_COMMANDS,
  openapi
};

async function main(argv: string[]): Promise<void> {
  // The database, blobs, backups and keys are the registry's alone: every file this process
  // creates is 0600 and every directory 0700, whatever the caller's umask (security).
  process.umask(0o077);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return;
  }
  const [first, ...rest] = argv;
  const command = first && !first.startsWith('-') ? first : 'serve';
  const run = COMMANDS[command];
  if (!run) {
    throw new Error(`unknown subcommand "${command}"\n${USAGE}`);
  }
  await run(first === command ? rest : argv);
}

main(process.argv.slice(2)).catch(err => {
  console.error(
    `modelreg-server: ${err instanceof Error ? err.message : String(err)}`
  );
  process.exit(1);
});
