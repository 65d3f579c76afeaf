import { paintFor } from '../report/paint.js';
import { COMMANDS, type Command, type Parsed } from './commands.js';
import { UsageError, type ReadFile } from './read-report.js';

/** What the command line needs from its process: files, the two streams, and stdout's colour level. */
export interface CliIo {
	readonly read: ReadFile;
	readonly out: (text: string) => void;
	readonly err: (text: string) => void;
	readonly colorLevel: 0 | 1 | 2 | 3;
}

const USAGE = `Usage: reftrace <command> [options] <files>

Commands:
  show <report.json>                 print a JSON report as the exit report's text
  diff <before.json> <after.json>    references live in after that were not live in before, by site
  merge <a.json> <b.json> ...        many processes' reports in one, by site, with how many saw each
  check <report.json>                exit status for CI (0 clean, 23 otherwise), with the summary line
  html <trace.json>                  a trace (REFTRACE_TRACE) drawn as lifelines in one self-contained page

Run \`reftrace <command> --help\` for a command's options. Reports are written by REFTRACE_REPORT=path
(at exit) and REFTRACE_DUMP=path (on SIGUSR2); traces by REFTRACE_TRACE=path.`;

function parse(name: string, command: Command, args: readonly string[]): Parsed {
	const files: string[] = [];
	const options = new Map<string, string | true>();
	for (let i = 0; i < args.length; i++) {
		const arg = args[i]!;
		if (!arg.startsWith('--') || arg === '--') {
			if (arg !== '--') files.push(arg);
			else files.push(...args.slice(i + 1));
			if (arg === '--') break;
			continue;
		}
		const [key, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
		const takesValue = command.options[key];
		if (takesValue === undefined) throw new UsageError(`unknown option --${key} for ${name}; see reftrace ${name} --help`);
		if (!takesValue) options.set(key, true);
		else {
			const value = inline ?? args[++i];
			if (value === undefined || value === '') throw new UsageError(`--${key} needs a value; see reftrace ${name} --help`);
			options.set(key, value);
		}
	}
	const [min, max] = command.files;
	if (files.length < min || files.length > max) {
		const wanted = max === min ? `${min}` : max === Number.POSITIVE_INFINITY ? `at least ${min}` : `${min} to ${max}`;
		throw new UsageError(`${name} takes ${wanted} file${max === 1 ? '' : 's'}, got ${files.length}; see reftrace ${name} --help`);
	}
	return { files, options };
}

/**
 * Runs `reftrace <args>`. @returns the exit status: the command's, 2 for bad usage or input (the message
 * on stderr), 0 for help.
 */
export function runCli(args: readonly string[], io: CliIo): number {
	const [name, ...rest] = args;
	if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
		const topic = name === 'help' && rest[0] !== undefined ? COMMANDS[rest[0]] : undefined;
		// Without a command it is a usage error: the help goes to stderr, as the other usage errors do.
		(name === undefined ? io.err : io.out)(`${topic?.usage ?? USAGE}\n`);
		return name === undefined ? 2 : 0;
	}
	const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
	if (command === undefined) {
		io.err(`reftrace: unknown command ${JSON.stringify(name)}\n\n${USAGE}\n`);
		return 2;
	}
	if (rest.includes('--help') || rest.includes('-h')) {
		io.out(`${command.usage}\n`);
		return 0;
	}
	try {
		const outcome = command.run(parse(name, command, rest), { read: io.read, paint: paintFor(io.colorLevel) });
		io.out(outcome.out);
		return outcome.status;
	} catch (error) {
		if (!(error instanceof UsageError)) throw error;
		io.err(`reftrace ${name}: ${error.message}\n`);
		return 2;
	}
}
