import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import type { SourceMap } from 'node:module';
import { configure, type ConfigureOptions, type MisuseError } from '../lib/index.js';

/**
 * Routes violations into an array for the rest of the test (and sets any other options given).
 * Leaks are reported only at collection or scope end, which these tests do not reach, so every entry is a misuse.
 */
export function collectViolations(options: ConfigureOptions = {}): MisuseError[] {
	const seen: MisuseError[] = [];
	configure({ mode: 'full', stackDepth: 10, quarantine: 16, ...options, onViolation: (error) => void seen.push(error as MisuseError) });
	return seen;
}

/**
 * `file:line` of the line holding `// @marker` in a test file, relative to the working directory, as
 * reports print sites. Tests mark the lines they expect a report to name instead of hard-coding numbers.
 */
export function siteOf(fileUrl: string, marker: string): string {
	const path = fileURLToPath(fileUrl);
	const lines = readFileSync(path, 'utf8').split('\n');
	const index = lines.findIndex((line) => line.includes(`// @${marker}`) && !line.includes('siteOf('));
	if (index < 0) throw new Error(`no line marked @${marker} in ${path}`);
	return `${relative(process.cwd(), path)}:${index + 1}`;
}

/** The `file:line` part of a `file:line:column` site. */
export function lineOf(site: string | null | undefined): string | null {
	return site == null ? null : site.replace(/:\d+$/, '');
}

setFlagsFromString('--expose-gc');
const gcFunction = runInNewContext('gc') as () => void;

/** Forces full collections and lets finalizers run, until `done()` or the attempts run out. */
export async function collectGarbage(done: () => boolean = () => false, attempts = 20): Promise<void> {
	for (let i = 0; i < attempts && !done(); i++) {
		gcFunction();
		await new Promise((resolve) => setTimeout(resolve, 0));
	}
}

/** The package's root folder (child processes run there, so `reftrace` resolves to its own dist/). */
export const packageRoot = fileURLToPath(new URL('..', import.meta.url));

/** The environment for a child process: no REFTRACE_* or colour variables of ours, no colour, plus `extra`. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
	const inherited = Object.entries(process.env).filter(([name]) => !name.startsWith('REFTRACE') && name !== 'FORCE_COLOR' && name !== 'NO_COLOR');
	return { ...Object.fromEntries(inherited), NO_COLOR: '1', ...extra };
}

/** A child process started with `args` that prints a line on stdout once it is ready to be signalled. */
export interface WaitingChild {
	readonly child: ChildProcess;
	/** Resolves once the child said it is ready. */
	readonly ready: Promise<void>;
	/** Resolves when it exits; a child still alive 10 s after being signalled is killed (SIGKILL), so a hang fails the test instead of stalling it. */
	readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
	/** Everything it wrote to stderr so far. */
	stderr(): string;
	/** Sends `signal`, then waits for the exit. */
	stop(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `node ...args` in the package root with `childEnv(extra)`, for signal tests. */
export function startWaiting(args: readonly string[], extra: Record<string, string> = {}): WaitingChild {
	const child = spawn(process.execPath, args, { cwd: packageRoot, env: childEnv(extra) });
	let stderr = '';
	child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
	const ready = new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
	const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
		child.on('exit', (code, signal) => resolve({ code, signal })),
	);
	const stop = (signal: NodeJS.Signals) => {
		child.kill(signal);
		const guard = setTimeout(() => child.kill('SIGKILL'), 10_000);
		return exited.finally(() => clearTimeout(guard));
	};
	return { child, ready, exited, stderr: () => stderr, stop };
}

/**
 * A second copy of reftrace's dist/ in a temporary folder, as a dependency bundling its own copy would
 * bring: its modules are distinct from the package's, so it keeps its own state. @returns its folder.
 */
export function secondCopy(): string {
	const dir = mkdtempSync(join(tmpdir(), 'reftrace-copy-'));
	cpSync(join(packageRoot, 'dist'), join(dir, 'dist'), { recursive: true });
	writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
	symlinkSync(join(packageRoot, 'node_modules'), join(dir, 'node_modules'));
	return dir;
}

/**
 * `file:line` in the original sources of a generated position (`…:line:column`, as a stack frame ends) in a
 * bundle, through its source map, as `siteOf` names lines; sources the map names relatively are under `dir`.
 */
export function originalLine(position: string, map: SourceMap, dir: string): string {
	const match = /:(\d+):(\d+)\)?$/.exec(position);
	if (match === null) throw new Error(`no position in ${position}`);
	const entry = map.findEntry(Number(match[1]) - 1, Number(match[2]) - 1) as { originalSource?: string; originalLine?: number };
	const source = entry.originalSource?.startsWith('file:') ? new URL(entry.originalSource).pathname : join(dir, entry.originalSource ?? '?');
	return `${relative(process.cwd(), source)}:${(entry.originalLine ?? -1) + 1}`;
}

/** What test/fixtures/eras-probe.mjs reports. */
export interface ProbeResult {
	readonly smallUpTo: number | null;
	readonly ids: number[];
	readonly movedTo: number[];
	readonly ended: [number, string][];
	readonly age: number;
	readonly entrySmall: boolean;
	readonly sameEntryShape: boolean;
	readonly lateSmall: boolean;
	readonly lateEras: number;
	readonly ringNumbers: number;
	readonly ringSmall: boolean;
}

/** What both runs of eras-probe.mjs must report, given the one they made (its ids and moves), but the range of small integers. */
export function expectedProbe(result: ProbeResult): Omit<ProbeResult, 'smallUpTo' | 'age'> {
	const firstId = 2 ** 31 + 12345 + 4;
	return {
		// The 2^31 + 12345 skipped, the two references taken before, then the root.
		ids: Array.from({ length: 20 }, (_, i) => firstId + i),
		movedTo: result.movedTo,
		// The last six releases of the first ten, then five moves each followed by its successor's release.
		ended: [...result.ids.slice(4, 10).map((id): [number, string] => [id, 'released']), ...result.movedTo.flatMap((to, i): [number, string][] => [[result.ids[10 + i]!, 'moved'], [to, 'released']])],
		entrySmall: true,
		sameEntryShape: true,
		lateSmall: true,
		// Some of the late references in the next era: the era did end.
		lateEras: 2,
		// The ids and times of the sixteen endings kept.
		ringNumbers: 16 * 2,
		ringSmall: true,
	};
}
