import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { checkId } from '../../shared/ids';

/** One field's broken rules, worded for the person who filled the field in. */
export interface FieldProblem {
	/** As shown in the editor, e.g. "User ID". */
	label: string;
	/** The parameter's name, e.g. "userId", so expressions and docs can be matched. */
	name: string;
	problems: string[];
}

export function describeProblems(fields: FieldProblem[]): string {
	// The field as the editor shows it: the parameter's internal name means nothing to a builder.
	return fields.map((f) => `${f.label} ${f.problems.join('; ')}`).join('. ');
}

/**
 * Checks that run before any request. Collects every broken rule of every field, so one
 * run tells the user everything to fix, and raises them together against the item.
 */
export class ItemInput {
	private readonly failures: FieldProblem[] = [];

	constructor(
		private readonly context: IExecuteFunctions,
		private readonly itemIndex: number,
	) {}

	/** An id bound for a URL path segment; returns '' when it is invalid (reported by done()). */
	id(name: string, label: string, raw: unknown): string {
		const checked = checkId(raw);
		if (checked.ok) return checked.id;
		this.failures.push({ label, name, problems: [checked.problem] });
		return '';
	}

	/** A text field, trimmed, checked against `rules`; returns the trimmed text. */
	text(name: string, label: string, raw: unknown, rules: (value: string) => string[]): string {
		if (typeof raw !== 'string' && typeof raw !== 'number') {
			this.check(name, label, [
				raw === undefined || raw === null ? 'is empty' : `must be text, got ${typeof raw}`,
			]);
			return '';
		}
		const value = String(raw).trim();
		this.check(name, label, value ? rules(value) : ['is empty']);
		return value;
	}

	/** Records a field's broken rules, if any. */
	check(name: string, label: string, problems: string[]): void {
		if (problems.length > 0) this.failures.push({ label, name, problems });
	}

	/** Throws if anything was wrong; nothing has been sent to Exotel at this point. */
	done(): void {
		if (this.failures.length === 0) return;
		throw new NodeOperationError(
			this.context.getNode(),
			`Invalid input: ${describeProblems(this.failures)}`,
			{
				itemIndex: this.itemIndex,
				description:
					'Nothing was sent to Exotel for this item. Correct the fields named above and run again.',
			},
		);
	}
}
