/**
 * The shipped package carries nothing for its tests or tools: n8n creates each node class with
 * no argument, so none declares constructor parameters (tests and the benchmark replace a
 * module instead, see test/support/newProcess.ts); and every export of nodes/ and credentials/
 * is there for the package itself, imported by another shipped file, or is what n8n loads.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';

const root = join(__dirname, '..', '..');

function filesUnder(folder: string): string[] {
	return ts.sys.readDirectory(join(root, folder), ['.ts']).map((file) => relative(root, file));
}

const shipped = [...filesUnder('nodes'), ...filesUnder('credentials')];

const parse = (file: string) =>
	ts.createSourceFile(file, readFileSync(join(root, file), 'utf8'), ts.ScriptTarget.Latest, true);

/** What n8n loads: the classes of the files package.json names under "n8n". */
function entryPoints(): Set<string> {
	const { n8n } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
		n8n: { nodes: string[]; credentials: string[] };
	};
	return new Set(
		[...n8n.nodes, ...n8n.credentials].map((dist) => {
			const file = dist.replace(/^dist\//, '').replace(/\.js$/, '.ts');
			return `${file}#${file.split('/').pop()!.split('.')[0]}`;
		}),
	);
}

const hasExport = (node: ts.Node) =>
	ts.canHaveModifiers(node) &&
	(ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);

/** Each name `file` exports, as `file#name`. */
function exportsOf(file: string): string[] {
	const names: string[] = [];
	for (const statement of parse(file).statements) {
		if (ts.isVariableStatement(statement) && hasExport(statement)) {
			for (const declaration of statement.declarationList.declarations)
				if (ts.isIdentifier(declaration.name)) names.push(declaration.name.text);
		} else if (
			(ts.isFunctionDeclaration(statement) ||
				ts.isClassDeclaration(statement) ||
				ts.isInterfaceDeclaration(statement) ||
				ts.isTypeAliasDeclaration(statement) ||
				ts.isEnumDeclaration(statement)) &&
			hasExport(statement) &&
			statement.name
		) {
			names.push(statement.name.text);
		} else if (
			ts.isExportDeclaration(statement) &&
			statement.exportClause &&
			ts.isNamedExports(statement.exportClause)
		) {
			for (const element of statement.exportClause.elements) names.push(element.name.text);
		}
	}
	return names.map((name) => `${file}#${name}`);
}

/** The shipped file a relative specifier in `from` names. */
function resolve(from: string, specifier: string): string | undefined {
	if (!specifier.startsWith('.')) return undefined;
	const base = join(dirname(from), specifier);
	return [`${base}.ts`, join(base, 'index.ts')].find((file) => existsSync(join(root, file)));
}

/** What `file` imports from other files, as `target#name` (a namespace import by the names it reads). */
function importsOf(file: string): string[] {
	const source = parse(file);
	const used: string[] = [];
	const namespaces = new Map<string, string>();
	for (const statement of source.statements) {
		const declaration =
			ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)
				? statement
				: undefined;
		const specifier = declaration?.moduleSpecifier;
		if (!declaration || !specifier || !ts.isStringLiteral(specifier)) continue;
		const target = resolve(file, specifier.text);
		if (!target) continue;
		if (ts.isExportDeclaration(declaration)) {
			if (declaration.exportClause && ts.isNamedExports(declaration.exportClause)) {
				for (const element of declaration.exportClause.elements)
					used.push(`${target}#${(element.propertyName ?? element.name).text}`);
			}
			continue;
		}
		const bindings = declaration.importClause?.namedBindings;
		if (bindings && ts.isNamedImports(bindings))
			for (const element of bindings.elements)
				used.push(`${target}#${(element.propertyName ?? element.name).text}`);
		if (bindings && ts.isNamespaceImport(bindings)) namespaces.set(bindings.name.text, target);
	}
	const visit = (node: ts.Node): void => {
		if (
			ts.isPropertyAccessExpression(node) &&
			ts.isIdentifier(node.expression) &&
			namespaces.has(node.expression.text)
		) {
			used.push(`${namespaces.get(node.expression.text)}#${node.name.text}`);
			return;
		}
		if (ts.isQualifiedName(node) && ts.isIdentifier(node.left) && namespaces.has(node.left.text)) {
			used.push(`${namespaces.get(node.left.text)}#${node.right.text}`);
			return;
		}
		// A namespace passed on whole (an operation's module in a resource's map): every export of it is used.
		if (ts.isIdentifier(node) && namespaces.has(node.text) && !ts.isNamespaceImport(node.parent))
			used.push(...exportsOf(namespaces.get(node.text)!));
		ts.forEachChild(node, visit);
	};
	visit(source);
	return used;
}

/** Whether `file` refers to its own export `name` (a use, not its declaration or a property of that name). */
function usedInOwnFile(file: string, name: string): boolean {
	let uses = 0;
	const visit = (node: ts.Node): void => {
		if (ts.isIdentifier(node) && node.text === name) {
			const parent = node.parent;
			// A declaration's or a property's name (`x.name`, `{ name: … }`), but `{ name }` reads the binding.
			const declares =
				(parent as { name?: ts.Node }).name === node && !ts.isShorthandPropertyAssignment(parent);
			if (!declares) uses++;
		}
		ts.forEachChild(node, visit);
	};
	visit(parse(file));
	return uses > 0;
}

/** The node classes' constructors that take parameters, as `file: Class`. */
function constructorsWithParameters(file: string): string[] {
	return parse(file)
		.statements.filter(ts.isClassDeclaration)
		.filter((c) => c.members.some((m) => ts.isConstructorDeclaration(m) && m.parameters.length > 0))
		.map((c) => `${file}: ${c.name?.text ?? 'anonymous class'}`);
}

describe('the shipped package carries nothing for tests or tools', () => {
	it('has node classes n8n creates with no argument: no constructor parameters', () => {
		const nodeFiles = shipped.filter((file) => file.endsWith('.node.ts'));
		expect(nodeFiles.length).toBeGreaterThanOrEqual(2);
		expect(nodeFiles.flatMap(constructorsWithParameters)).toEqual([]);
	});

	it('exports nothing only tests or tools use: the package itself uses each export, or n8n loads it', () => {
		const imported = new Set(shipped.flatMap(importsOf));
		const loaded = entryPoints();
		const exported = shipped.flatMap(exportsOf);
		expect(exported.length).toBeGreaterThan(100);
		const unused = exported.filter(
			(id) =>
				!imported.has(id) &&
				!loaded.has(id) &&
				!usedInOwnFile(...(id.split('#') as [string, string])),
		);
		expect(unused).toEqual([]);
	});
});
