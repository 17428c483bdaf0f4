/**
 * A small XML well-formedness check for the SVG figures (no XML parser is a dependency):
 * tags nest and close properly, attributes are quoted and unique, text has no stray '<'
 * and only valid entity references, and there is exactly one root element.
 */
const NAME = '[A-Za-z_][\\w:.-]*';
const ATTRIBUTE = new RegExp(`\\s+(${NAME})\\s*=\\s*("[^"<]*"|'[^'<]*')`, 'y');
const ENTITY = /&(?:[A-Za-z][\w.-]*|#\d+|#x[0-9A-Fa-f]+);/g;

/** Throws an Error describing the first problem; returns the root element's name. */
export function assertWellFormedXml(text: string): string {
  let s = text.replace(/^\uFEFF/, '').replace(/^<\?xml[^?]*\?>/, '');
  s = s.replace(/<!--[\s\S]*?-->/g, '').replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '');
  const stack: string[] = [];
  let root: string | undefined;
  let pos = 0;
  const checkText = (chunk: string, at: number): void => {
    if (stack.length === 0 && chunk.trim() !== '') throw new Error(`text outside the root element at ${at}`);
    if (chunk.replace(ENTITY, '').includes('&')) throw new Error(`invalid entity reference near ${at}: ${chunk.slice(0, 60)}`);
  };
  while (pos < s.length) {
    const lt = s.indexOf('<', pos);
    if (lt < 0) {
      checkText(s.slice(pos), pos);
      break;
    }
    checkText(s.slice(pos, lt), pos);
    const close = new RegExp(`</(${NAME})\\s*>`, 'y');
    close.lastIndex = lt;
    const c = close.exec(s);
    if (c) {
      const open = stack.pop();
      if (open !== c[1]) throw new Error(`</${c[1]}> at ${lt} closes <${open ?? 'nothing'}>`);
      pos = close.lastIndex;
      continue;
    }
    const start = new RegExp(`<(${NAME})`, 'y');
    start.lastIndex = lt;
    const m = start.exec(s);
    if (!m) throw new Error(`malformed tag at ${lt}: ${s.slice(lt, lt + 40)}`);
    let i = start.lastIndex;
    const seen = new Set<string>();
    for (;;) {
      ATTRIBUTE.lastIndex = i;
      const a = ATTRIBUTE.exec(s);
      if (!a) break;
      if (seen.has(a[1])) throw new Error(`duplicate attribute ${a[1]} in <${m[1]}> at ${lt}`);
      seen.add(a[1]);
      if (a[2].slice(1, -1).replace(ENTITY, '').includes('&')) throw new Error(`invalid entity in attribute ${a[1]} at ${lt}`);
      i = ATTRIBUTE.lastIndex;
    }
    const end = /\s*(\/?)>/y;
    end.lastIndex = i;
    const e = end.exec(s);
    if (!e) throw new Error(`malformed tag <${m[1]}> at ${lt}: ${s.slice(i, i + 40)}`);
    if (stack.length === 0) {
      if (root !== undefined) throw new Error(`second root element <${m[1]}> at ${lt}`);
      root = m[1];
    }
    if (e[1] !== '/') stack.push(m[1]);
    pos = end.lastIndex;
  }
  if (stack.length > 0) throw new Error(`unclosed elements: ${stack.join(' > ')}`);
  if (root === undefined) throw new Error('no root element');
  return root;
}
