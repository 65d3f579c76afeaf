import { frameParts, type FrameParts } from './frames.js';

/*
 * Suppression rules, in LeakSanitizer's form: one `kind:pattern` per line, `#` starts a comment. The kind
 * is a violation kind or `*`; the pattern is matched against the function name and the file path of every
 * frame of the report's stack: anywhere in them, `*` for any run of characters, `?` for one, `^` and `$`
 * to anchor at the start or end.
 */

/** One rule, where it came from (for the exit report and errors), and its compiled pattern. */
export interface SuppressionRule {
	/** The rule as written, `leak:Session`. */
	readonly text: string;
	/** The violation kind it applies to, or `*`. */
	readonly kind: string;
	readonly pattern: string;
	/** Where it was written: `file:line`, or `suppressions[2]` for rules given as a list. */
	readonly origin: string;
	readonly regex: RegExp;
}

function compile(pattern: string): RegExp {
	const start = pattern.startsWith('^') ? '^' : '';
	const end = pattern.endsWith('$') && pattern.length > start.length ? '$' : '';
	const body = pattern.slice(start.length, pattern.length - end.length);
	const source = body.replace(/[.+^${}()|[\]\\*?]/g, (char) => (char === '*' ? '.*' : char === '?' ? '.' : `\\${char}`));
	return new RegExp(`${start}${source}${end}`);
}

/**
 * Reads rules, one per entry of `lines`; `origin(i)` names the entry for errors. Blank entries and
 * `#` comments are skipped.
 * @throws TypeError naming the entry: no `kind:` prefix, an unknown kind, or an empty pattern.
 */
export function parseRules(lines: readonly string[], kinds: readonly string[], origin: (index: number) => string): SuppressionRule[] {
	const rules: SuppressionRule[] = [];
	lines.forEach((raw, index) => {
		const text = raw.replace(/(^|\s)#.*$/, '').trim();
		if (text === '') return;
		const colon = text.indexOf(':');
		const where = origin(index);
		if (colon < 0) throw new TypeError(`Suppression rule at ${where} is not \`kind:pattern\`: ${JSON.stringify(text)}`);
		const kind = text.slice(0, colon).trim();
		const pattern = text.slice(colon + 1).trim();
		if (kind !== '*' && !kinds.includes(kind)) {
			throw new TypeError(`Suppression rule at ${where} names an unknown kind ${JSON.stringify(kind)}; expected * or one of ${kinds.join(', ')}`);
		}
		if (pattern === '' || pattern === '^' || pattern === '$') throw new TypeError(`Suppression rule at ${where} has an empty pattern: ${JSON.stringify(text)}`);
		rules.push({ text: `${kind}:${pattern}`, kind, pattern, origin: where, regex: compile(pattern) });
	});
	return rules;
}

function matches(rule: SuppressionRule, frames: readonly FrameParts[]): boolean {
	return frames.some((frame) => (frame.fn !== null && rule.regex.test(frame.fn)) || rule.regex.test(frame.file));
}

/**
 * The first rule that suppresses a report of `kind` whose stack is `stack` (printed frames, innermost
 * first), or null. Every frame is tried, dependency frames too (a rule may name a library); a folded run
 * of dependency frames has no names left to match.
 */
export function matchRule(rules: readonly SuppressionRule[], kind: string, stack: readonly string[]): SuppressionRule | null {
	if (rules.length === 0) return null;
	const frames = stack.map(frameParts).filter((parts): parts is FrameParts => parts !== null);
	return rules.find((rule) => (rule.kind === '*' || rule.kind === kind) && matches(rule, frames)) ?? null;
}
