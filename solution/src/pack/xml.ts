// A small element-tree API over fast-xml-parser's ordered builder: solution XML is order-sensitive (the XSD uses
// xs:sequence in many places), so every element is written in exactly the order the packer lists it.
import { XMLBuilder } from 'fast-xml-parser';
import { nameGuid } from '../stableGuid';

export type XmlAttrs = Record<string, string | number | boolean | undefined>;
/** One node in fast-xml-parser's `preserveOrder` shape: `{ tag: children, ':@': attributes }` or `{ '#text': value }`. */
export type XmlNode = Record<string, unknown>;
export type XmlChild = XmlNode | XmlNode[] | string | number | null | undefined | false;

/** An element; attributes whose value is `undefined` are left out; falsy children are skipped; arrays are flattened. */
export function el(name: string, attrs?: XmlAttrs | null, ...children: XmlChild[]): XmlNode {
  const kids: XmlNode[] = [];
  const add = (c: XmlChild): void => {
    if (c === null || c === undefined || c === false) return;
    if (Array.isArray(c)) c.forEach(add);
    else if (typeof c === 'string' || typeof c === 'number') kids.push({ '#text': String(c) });
    else kids.push(c);
  };
  children.forEach(add);
  const node: XmlNode = { [name]: kids };
  if (attrs) {
    const a: Record<string, string> = {};
    for (const [k, v] of Object.entries(attrs)) if (v !== undefined) a[`@_${k}`] = String(v);
    if (Object.keys(a).length) node[':@'] = a;
  }
  return node;
}

/** Element holding just text (numbers and booleans are written as Dataverse does: 1/0 for booleans). */
export function text(name: string, value: string | number | boolean, attrs?: XmlAttrs): XmlNode {
  const v = typeof value === 'boolean' ? (value ? '1' : '0') : String(value);
  return el(name, attrs ?? null, v);
}

const builder = new XMLBuilder({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  format: true,
  indentBy: '  ',
  suppressEmptyNode: true,
  processEntities: true,
  suppressBooleanAttributes: false,
});

/** Serialises a root element as a UTF-8 document with an XML declaration and a trailing newline. */
export function toXml(root: XmlNode, declaration = true): string {
  const body = builder.build([root]) as string;
  const decl = declaration ? '<?xml version="1.0" encoding="utf-8"?>\n' : '';
  return `${decl}${body.trim()}\n`;
}

/** A serialised fragment (no declaration), used for the unpacked layout's per-component files. */
export function fragmentXml(node: XmlNode): string {
  return toXml(node, false);
}

/**
 * A GUID derived from a name (name-based, SHA-1, RFC 4122 version 5 layout). Forms, views, the role and web
 * resources need ids that stay the same from build to build, or every import would create new components.
 */
export function stableGuid(name: string): string {
  return nameGuid(`astep-solution:${name}`);
}

export const braced = (guid: string): string => `{${guid}}`;

export const LCID = 1033;
/** `<LocalizedNames><LocalizedName description=".." languagecode="1033"/></LocalizedNames>` and friends. */
export function labelList(outer: string, inner: string, description: string | undefined): XmlNode {
  return el(outer, null, description === undefined ? null : el(inner, { description, languagecode: LCID }));
}
