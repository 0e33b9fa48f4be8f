// Lint rule: a package reaches a sibling only through what the sibling exports (its package.json `exports`), and only
// a sibling it declares (dependencies or devDependencies); no relative path into another package's folder.
import path from 'node:path';
import exportsModule from '../workspace-exports.js';

const { workspacePackages } = exportsModule;

export function packageBoundaries(root) {
  const packages = workspacePackages(root).map((p) => ({ ...p, abs: path.join(root, p.dir) + path.sep }));
  const byName = new Map(packages.map((p) => [p.name, p]));
  const ownerOf = (file) => packages.filter((p) => file.startsWith(p.abs)).sort((a, b) => b.abs.length - a.abs.length)[0] ?? null;
  const allowed = (p) => [...p.exports.keys()].map((s) => (s === '.' ? p.name : `${p.name}/${s.slice(2)}`)).join(', ') || 'nothing';
  return {
    meta: {
      type: 'problem',
      docs: { description: 'imports between workspace packages go through the exports map of a declared sibling' },
      schema: [],
      messages: {
        relative: '"{{source}}" reaches into {{name}} ({{dir}}) by a relative path: import what it exports instead ({{allowed}}).',
        internal: '"{{source}}" is not exported by {{name}}: its package.json exports {{allowed}}.',
        unknown: '"{{source}}": no workspace package is named {{name}}.',
        undeclared: '{{owner}} imports {{name}} without declaring it: add it to {{ownerDir}}/package.json dependencies.',
      },
    },
    create(context) {
      const file = context.filename;
      const owner = ownerOf(file);
      const check = (node, source) => {
        if (typeof source !== 'string') return;
        if (source.startsWith('.')) {
          const target = ownerOf(path.resolve(path.dirname(file), source) + path.sep);
          if (target && target !== owner) context.report({ node, messageId: 'relative', data: { source, name: target.name, dir: target.dir, allowed: allowed(target) } });
          return;
        }
        const m = /^(@astep\/[^/]+)(?:\/(.+))?$/.exec(source);
        if (!m) return;
        const pkg = byName.get(m[1]);
        if (!pkg) return context.report({ node, messageId: 'unknown', data: { source, name: m[1] } });
        if (!pkg.exports.has(m[2] ? `./${m[2]}` : '.')) context.report({ node, messageId: 'internal', data: { source, name: pkg.name, allowed: allowed(pkg) } });
        if (owner && pkg !== owner && !owner.declares.has(pkg.name)) context.report({ node, messageId: 'undeclared', data: { owner: owner.name, name: pkg.name, ownerDir: owner.dir } });
      };
      const fromSource = (node) => node.source && check(node, node.source.value);
      return {
        ImportDeclaration: fromSource,
        ExportNamedDeclaration: fromSource,
        ExportAllDeclaration: fromSource,
        ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
        CallExpression: (node) => {
          if (node.callee.type === 'Identifier' && node.callee.name === 'require' && node.arguments[0]?.type === 'Literal') check(node, node.arguments[0].value);
        },
      };
    },
  };
}
