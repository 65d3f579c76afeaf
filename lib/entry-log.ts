import { observe, type Entry } from './record.js';

/**
 * The entries begun while something is watching (a checked scope, a test), so that its end looks at the
 * references taken meanwhile rather than at every live reference in the process: checking a test that
 * took ten references costs ten, however many other references are live. Ended entries are dropped each
 * time the log doubles, so it holds at most about twice the entries that are still listed.
 */
export class EntryLog {
	#entries: Entry[] = [];
	#limit = MIN_LIMIT;
	readonly #accepts: (entry: Entry) => boolean;
	#stop: (() => void) | null = null;

	/** @param accepts which new entries to keep. */
	constructor(accepts: (entry: Entry) => boolean) {
		this.#accepts = accepts;
	}

	/** Starts keeping the entries accepted from now on (idempotent). */
	start(): void {
		this.#stop ??= observe({ begin: (entry) => this.#add(entry) });
	}

	/** Stops keeping new entries and forgets the kept ones. */
	stop(): void {
		this.#stop?.();
		this.#stop = null;
		this.clear();
	}

	/** Forgets the kept entries. */
	clear(): void {
		this.#entries = [];
		this.#limit = MIN_LIMIT;
	}

	/** The kept entries still on their object's live list (live, or collected while live), in the order they began. */
	listed(): Entry[] {
		return this.#entries.filter(isListed);
	}

	#add(entry: Entry): void {
		if (!this.#accepts(entry)) return;
		this.#entries.push(entry);
		if (this.#entries.length >= this.#limit) {
			this.#entries = this.listed();
			this.#limit = Math.max(MIN_LIMIT, this.#entries.length * 2);
		}
	}
}

const MIN_LIMIT = 1024;

// A reference the garbage collector found dropped stays listed (ended as `leaked`): reports still show it.
const isListed = (entry: Entry): boolean => entry.end === null || entry.end.how === 'leaked';
