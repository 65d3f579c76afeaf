import type { LeakData, SignatureData, Snapshot, SnapshotSite, ViolationData } from '../data.js';
import { escapeControls } from './escape.js';
import { appFrames } from './frames.js';

/*
 * Triage signatures, after Chromium's dangling-pointer reports: the kind, the object's name and the
 * application's top frames (function and file, no line numbers, so that unrelated edits leave it alone),
 * as one tab-separated line and a short hash of it. The same bug gives the same signature in every run,
 * process and machine, so `sort | uniq -c` and issue trackers can count it.
 */


/** Application frames a signature names. */
const FRAMES = 3;

/** FNV-1a, 32 bits: stable everywhere, no platform hash needed. */
function fnv1a(text: string): string {
	let hash = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) {
		hash ^= text.charCodeAt(i);
		hash = Math.imul(hash, 0x01000193) >>> 0;
	}
	return hash.toString(16).padStart(8, '0');
}

/** `Conn` of `Conn#3`: a signature names the kind of object, not the one instance. */
export function objectName(label: string): string {
	return label.replace(/#\d+$/, '');
}

/**
 * The signature of a report: `kind`, the object's label (its `#id` dropped) and the printed stack of the
 * call that matters (the culprit's, or the one that took a leaked reference). Fields are escaped, so the
 * only tabs in the line are the separators.
 */
export function signatureOf(kind: string, object: string, stack: readonly string[]): SignatureData {
	const frames = appFrames(stack, FRAMES).map((frame) => `${frame.fn ?? '<anonymous>'} ${frame.file}`);
	const fields = [kind, objectName(object), ...(frames.length > 0 ? frames : ['<no stack>'])];
	const line = fields.map(escapeControls).join('\t');
	return { hash: fnv1a(line), line };
}

/** How a signature is printed, the same in every report: `signature: 1a2b3c4d<TAB>double-release<TAB>…`. */
export function signatureText(signature: SignatureData): string {
	// Escaped again: a signature read back from a JSON file is text from outside.
	return `signature: ${escapeControls(signature.hash)}\t${signature.line.split('\t').map(escapeControls).join('\t')}`;
}

/** The signature of a leak group: its first object and its most frequent stack. */
export function siteSignature(snapshot: Snapshot, site: SnapshotSite): SignatureData {
	if (site.signature !== undefined) return site.signature;
	const stack = site.stacks[0] === undefined ? [] : (snapshot.stacks[site.stacks[0].stack] ?? []);
	return signatureOf('leak', site.objects[0]?.object ?? '<unknown>', stack);
}

/**
 * The signatures of one violation report: the culprit's for a misuse, the taking stack's for a reference
 * the garbage collector found dropped, one per site for the references a checked scope left.
 */
export function reportSignatures(data: ViolationData | LeakData): SignatureData[] {
	if (data.kind !== 'leak') return [signatureOf(data.kind, data.object, data.culprit.stack)];
	if (data.taken !== null) return [signatureOf('leak', data.leaks.objects[0]?.object ?? '<unknown>', data.taken.stack)];
	return data.leaks.sites.map((site) => siteSignature(data.leaks, site));
}
