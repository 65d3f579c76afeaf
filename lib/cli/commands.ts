import { VIOLATION_KINDS, type Snapshot, type SnapshotRef, type SuppressionUse, type ViolationKind } from '../data.js';
import { describeFolded, foldNested, withoutRefs } from '../report/chain.js';
import { diffSnapshots } from '../report/diff.js';
import { renderLifelines } from '../report/lifelines.js';
import { recapLines, renderExitReport, renderLeakGroups, summaryLine, violationTotal } from '../report/leak-report.js';
import { mergeSnapshots, renderMerged } from '../report/merge.js';
import { plural } from '../report/format.js';
import type { Paint } from '../report/paint.js';
import { matchRule, parseRules, type SuppressionRule } from '../report/suppression-rules.js';
import { readJson, readReport, readText, UsageError, type ReadFile } from './read-report.js';

/*
 * The `reftrace` commands: each reads report files through `read`, and returns its output and exit status.
 * No process access here (the Node entry point supplies files, streams and colour).
 */

/** A command's parsed arguments: files and `--name value` options (`true` for a flag). */
export interface Parsed {
	readonly files: readonly string[];
	readonly options: ReadonlyMap<string, string | true>;
}

/** What a command needs from its surroundings. */
export interface CommandContext {
	readonly read: ReadFile;
	readonly paint: Paint;
}

/** A command's output (for stdout) and exit status. */
export interface Outcome {
	readonly out: string;
	readonly status: number;
}

/** One command: its usage text, the options it takes (`true`: takes a value), how many files, and what it does. */
export interface Command {
	readonly usage: string;
	readonly options: Readonly<Record<string, boolean>>;
	readonly files: readonly [min: number, max: number];
	readonly run: (args: Parsed, context: CommandContext) => Outcome;
}

const json = (value: unknown): Outcome => ({ out: `${JSON.stringify(value, null, 2)}\n`, status: 0 });

const show: Command = {
	usage: `reftrace show <report.json>

Prints a saved JSON report (REFTRACE_REPORT, REFTRACE_DUMP) as the exit report's text, in colour on a terminal.`,
	options: {},
	files: [1, 1],
	run: ({ files }, { read, paint }) => ({ out: `${renderExitReport(readReport(read, files[0]!), paint)}\n`, status: 0 }),
};

const diff: Command = {
	usage: `reftrace diff <before.json> <after.json> [--json]

Lists the references live in <after.json> that were not live in <before.json>, grouped by the site that
took them: what a request, a test or an hour left behind. Both reports must come from one running program
(two SIGUSR2 dumps written with REFTRACE_DUMP, say).

  --json   print the difference as a JSON report (reftrace.snapshot/2) instead of text`,
	options: { json: false },
	files: [2, 2],
	run: ({ files, options }, { read, paint }) => {
		const [beforeFile, afterFile] = files as [string, string];
		const before = readReport(read, beforeFile);
		const after = readReport(read, afterFile);
		if (before.pid !== after.pid || before.threadId !== after.threadId) {
			throw new UsageError(
				`${beforeFile} (pid ${before.pid}, thread ${before.threadId}) and ${afterFile} (pid ${after.pid}, thread ${after.threadId}) come from different processes: diff compares two reports of one running program; merge combines several`,
			);
		}
		const delta = diffSnapshots(before, after);
		if (options.has('json')) return json(delta);
		// Counted as the exit report counts: a new reference held by a nested count that is new too is shown under it.
		const { view, folded } = foldNested(delta);
		const heading = `${paint.bold('reftrace diff:')} ${plural(view.totals.refs, 'ref')} live in ${afterFile} that were not live in ${beforeFile}, from ${plural(view.totals.sites, 'site')}${describeFolded(folded)}`;
		const lines = renderLeakGroups(view, heading, paint);
		const violations = Object.entries(delta.violations).map(([kind, n]) => `${n} ${kind}`);
		if (violations.length > 0) lines.push(`  violations reported in between: ${violations.join(', ')}`);
		lines.push(...recapLines(delta, paint));
		return { out: `${lines.join('\n')}\n`, status: 0 };
	},
};

const merge: Command = {
	usage: `reftrace merge <a.json> <b.json> ... [--json]

Merges the reports of many processes or CI shards into one, grouped by site, with how many of the reports
saw each site, and the violations and signatures of all of them summed.

  --json   print the merged report as JSON (reftrace.merge/1)`,
	options: { json: false },
	files: [1, Number.POSITIVE_INFINITY],
	run: ({ files, options }, { read, paint }) => {
		const merged = mergeSnapshots(files.map((file) => ({ file, data: readReport(read, file) })));
		return options.has('json') ? json(merged) : { out: `${renderMerged(merged, paint)}\n`, status: 0 };
	},
};

/** A signature line's frames (`fn file`, after the kind and object) as printed frames, for the rules. */
function signatureStack(line: string): string[] {
	return line
		.split('\t')
		.slice(2)
		.map((frame) => {
			const space = frame.lastIndexOf(' ');
			return space < 0 ? frame : `${frame.slice(0, space)} (${frame.slice(space + 1)})`;
		});
}

/**
 * The report less what the rules suppress: leak groups by their stacks, violations by their signatures. As
 * at run time, the references a suppressed leak's nested count holds go with it (not counted as suppressed),
 * and long-lived references (listed apart) are never suppressed.
 */
function applyRules(report: Snapshot, rules: readonly SuppressionRule[]): { kept: Snapshot; uses: SuppressionUse[] } {
	const used = new Map<SuppressionRule, number>();
	const hit = (rule: SuppressionRule | null, n: number): boolean => {
		if (rule !== null) used.set(rule, (used.get(rule) ?? 0) + n);
		return rule !== null;
	};
	const suppressed: Partial<Record<ViolationKind, number>> = { ...report.suppressed };
	const matched = new Set<string | null>();
	for (const site of report.sites) {
		const stack = site.stacks[0] === undefined ? [] : (report.stacks[site.stacks[0].stack] ?? []);
		if (!hit(matchRule(rules, 'leak', stack), site.refs)) continue;
		suppressed.leak = (suppressed.leak ?? 0) + site.refs;
		matched.add(site.site);
	}
	const byLabel = new Map(report.objects.map((o) => [o.object, o]));
	const verdicts = new Map<SnapshotRef, boolean>();
	const isSuppressed = (ref: SnapshotRef): boolean => {
		let verdict = verdicts.get(ref);
		if (verdict === undefined) {
			verdicts.set(ref, false); // a circle of holders (not made by reftrace) suppresses nothing
			const holder = ref.heldBy === null ? undefined : byLabel.get(ref.heldBy);
			verdict = matched.has(ref.site) || (holder !== undefined && holder.refs.length > 0 && holder.refs.every(isSuppressed));
			verdicts.set(ref, verdict);
		}
		return verdict;
	};
	const violations: Partial<Record<ViolationKind, number>> = { ...report.violations };
	const signatures = (report.signatures ?? []).filter((s) => {
		if (!hit(matchRule(rules, s.kind, signatureStack(s.line)), s.count)) return true;
		violations[s.kind] = Math.max(0, (violations[s.kind] ?? 0) - s.count);
		if (violations[s.kind] === 0) delete violations[s.kind];
		suppressed[s.kind] = (suppressed[s.kind] ?? 0) + s.count;
		return false;
	});
	const kept: Snapshot = { ...withoutRefs(report, isSuppressed, true), violations, signatures, suppressed };
	return { kept, uses: rules.map((rule) => ({ rule: rule.text, origin: rule.origin, used: used.get(rule) ?? 0 })) };
}

function exitCodeOption(value: string | true | undefined): number {
	if (value === undefined) return 23;
	const code = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : Number.NaN;
	if (!(code >= 1 && code <= 255)) throw new UsageError(`--exit-code takes an integer from 1 to 255, got ${String(value)}`);
	return code;
}

const check: Command = {
	usage: `reftrace check <report.json> [--suppressions <file>] [--exit-code <n>] [--json]

Exit status for CI: 0 when the report has no live reference and no violation left after the suppression
rules, 23 (or --exit-code) otherwise; prints the summary line.

  --suppressions <file>  rules, one kind:pattern a line (as REFTRACE_SUPPRESSIONS), applied to the report
  --exit-code <n>        the status of a failing report, 1-255 (default 23, LeakSanitizer's)
  --json                 print the verdict as JSON`,
	options: { suppressions: true, 'exit-code': true, json: false },
	files: [1, 1],
	run: ({ files, options }, { read, paint }) => {
		const file = files[0]!;
		const failing = exitCodeOption(options.get('exit-code'));
		const report = readReport(read, file);
		const rulesFile = options.get('suppressions');
		let rules: SuppressionRule[] = [];
		if (typeof rulesFile === 'string') {
			try {
				rules = parseRules(readText(read, rulesFile, 'suppressions file').split(/\r?\n/), VIOLATION_KINDS, (i) => `${rulesFile}:${i + 1}`);
			} catch (error) {
				throw error instanceof UsageError ? error : new UsageError((error as Error).message);
			}
		}
		const { kept, uses } = applyRules(report, rules);
		// The status and the SUMMARY count the same: the report's leaks less the suppressed, nested counts folded.
		const { view, folded } = foldNested(kept);
		const dirty = view.totals.refs > 0 || violationTotal(view) > 0;
		const status = dirty ? failing : 0;
		if (options.has('json')) {
			const totals = { ...view.totals, folded };
			return { ...json({ schema: 'reftrace.check/1', file, status, totals, violations: view.violations, suppressed: view.suppressed, suppressions: uses }), status };
		}
		const recap = recapLines({ ...view, signatures: [], suppressions: uses }, paint);
		return { out: `${[paint.bold(summaryLine(view, folded, false)), ...recap].join('\n')}\n`, status };
	},
};

const html: Command = {
	usage: `reftrace html <trace.json> > lifelines.html

Draws a trace written with REFTRACE_TRACE=path as one self-contained page (no script, no network): each
object's references as lifelines over time, moves as links, violations and leaks as marks; hover for
owners and sites. For CI artifacts and for whoever cannot open ui.perfetto.dev.`,
	options: {},
	files: [1, 1],
	run: ({ files }, { read }) => {
		const file = files[0]!;
		const data = readJson(read, file, 'reftrace trace') as { traceEvents?: unknown; otherData?: { reftrace?: unknown } } | null;
		if (typeof data !== 'object' || data === null || !Array.isArray(data.traceEvents) || typeof data.otherData?.reftrace !== 'object') {
			throw new UsageError(`${file} is not a reftrace trace: it has no "traceEvents" list written by reftrace (write one with REFTRACE_TRACE=path)`);
		}
		return { out: renderLifelines({ traceEvents: data.traceEvents as Record<string, unknown>[] }, `reftrace lifelines: ${file}`), status: 0 };
	},
};

/** Every command by name. */
export const COMMANDS: Readonly<Record<string, Command>> = { show, diff, merge, check, html };
