/**
 * When each password was seen in n8n's execution_data table, sampled at an interval: how long
 * queue mode keeps a webhook-started run's items (generated passwords included) before n8n's
 * hard-delete removes them.
 */
export interface Residence {
	firstSeen: number;
	lastSeen: number;
}

export class ExecutionDataWatch {
	/** Per password: when a sample first and last found it. */
	readonly residence = new Map<string, Residence>();

	private timer?: NodeJS.Timeout;

	private sampling: Promise<void> = Promise.resolve();

	/**
	 * @param query runs SQL on n8n's database and returns its output as text
	 * @param passwords the passwords to look for, read at each sample
	 */
	constructor(
		private readonly query: (sql: string) => Promise<string>,
		private readonly passwords: () => string[],
	) {}

	/** Samples every `everyMs`, one sample at a time; a failed sample is skipped. */
	start(everyMs: number): void {
		this.timer = setInterval(() => {
			this.sampling = this.sampling.then(() => this.sample()).catch(() => undefined);
		}, everyMs);
	}

	/** Waits for the sample under way, then takes one more. */
	async sampleNow(): Promise<void> {
		await this.sampling;
		await this.sample();
	}

	async stop(): Promise<void> {
		if (this.timer) clearInterval(this.timer);
		await this.sampling;
	}

	private async sample(): Promise<void> {
		const data = await this.query('SELECT data FROM execution_data');
		const now = Date.now();
		for (const password of this.passwords()) {
			if (!data.includes(password)) continue;
			const seen = this.residence.get(password);
			if (seen) seen.lastSeen = now;
			else this.residence.set(password, { firstSeen: now, lastSeen: now });
		}
	}
}
