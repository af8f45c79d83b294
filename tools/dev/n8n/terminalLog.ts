/**
 * n8n's console output as `npm start` shows it: what a person needs. n8n prints a failed
 * execution as an error's class name and a full stack trace; those lines stay in n8n's log
 * file (`<user folder>/.n8n/logs/n8n.log`), and the terminal gets one line saying where the
 * error is. Everything else n8n prints is passed on as it is.
 */

/** A stack frame, or an error's bare class name (the line n8n prints before a trace). */
const TRACE_LINE = /^\s+at\s|^\s*[A-Z][A-Za-z]*Error\s*$/;

export class TerminalLog {
	private partial = '';

	private inTrace = false;

	constructor(
		private readonly logFile: string,
		private readonly write: (line: string) => void,
	) {}

	/** A chunk of n8n's stdout or stderr (not necessarily whole lines). */
	push(text: string): void {
		const lines = (this.partial + text).split('\n');
		this.partial = lines.pop() ?? '';
		for (const line of lines) this.line(line);
	}

	/** The rest, when n8n has stopped. */
	flush(): void {
		if (this.partial) this.line(this.partial);
		this.partial = '';
		this.endTrace();
	}

	private line(line: string): void {
		if (!line.trim()) return;
		if (TRACE_LINE.test(line)) {
			this.inTrace = true;
			return;
		}
		this.endTrace();
		this.write(line);
	}

	private endTrace(): void {
		if (!this.inTrace) return;
		this.inTrace = false;
		this.write(
			`an execution failed: its error is in the editor (the node's output, or Overview → Executions); the full trace is in ${this.logFile}`,
		);
	}
}
