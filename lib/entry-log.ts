import { observe, type Entry } from './record.js';

/**
 * The references begun while something is watching (a checked scope, a test) and still listed, so that its
 * end looks at the references taken meanwhile rather than at every live reference in the process: checking
 * a test that took ten references costs ten, however many others are live. An entry leaves the log when it
 * is released or moved (a reference the garbage collector found dropped stays, as it stays listed), so the
 * log holds no more than the references it will report and keeps no ended entry alive.
 */
export class EntryLog {
	readonly #entries = new Set<Entry>();
	readonly #accepts: ((entry: Entry) => boolean) | 'lineage';
	#stop: (() => void) | null = null;

	/**
	 * @param accepts which new entries to keep: those a test accepts, or, with `lineage`, every reference
	 * taken from now on and what is moved out of a kept one (a reference moved out of one taken before is
	 * not new, whenever the move happens).
	 */
	constructor(accepts: ((entry: Entry) => boolean) | 'lineage') {
		this.#accepts = accepts;
	}

	/** Starts keeping the entries accepted from now on (idempotent). */
	start(): void {
		this.#stop ??= observe({
			begin: (entry, _token, from) => {
				const accepts = this.#accepts;
				if (accepts === 'lineage' ? from === null || this.#entries.has(from) : accepts(entry)) this.#entries.add(entry);
			},
			end: (entry) => {
				if (entry.end?.how !== 'leaked') this.#entries.delete(entry);
			},
		});
	}

	/** Stops keeping new entries and forgets the kept ones. */
	stop(): void {
		this.#stop?.();
		this.#stop = null;
		this.clear();
	}

	/** Forgets the kept entries. */
	clear(): void {
		this.#entries.clear();
	}

	/** The kept entries, still on their object's live list (live, or collected while live), in the order they began. */
	listed(): Entry[] {
		return [...this.#entries];
	}
}
