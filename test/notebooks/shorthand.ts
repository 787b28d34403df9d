/**
 * The tslab cross-cell shorthand check shared by the notebook tests.
 */

/** The part of a notebook the check reads. */
export interface ShorthandNotebook { cells: { cell_type: string; source: string | string[] }[] }

/**
 * tslab leaves object-literal shorthand `{ X }` alone, so a shorthand that refers to an earlier
 * cell's X throws at run time (used by test/notebooks/notebooks.test.ts and workshop.test.ts).
 */
export function crossCellShorthand(nb: ShorthandNotebook): string[] {
  const declared = new Set<string>();
  const found: string[] = [];
  nb.cells.forEach((c, k) => {
    if (c.cell_type !== "code") return;
    const s = Array.isArray(c.source) ? c.source.join("") : c.source;
    const local = new Set<string>();
    for (const m of s.matchAll(/^(?:export\s+)?(?:const|let|var|function|class)\s+([A-Za-z_$][\w$]*)/gm)) local.add(m[1]);
    for (const m of s.matchAll(/^(?:const|let|var)\s*([{[])([^}\]]*)[}\]]/gm)) {
      for (const part of m[2].split(",")) {
        const name = (part.includes(":") ? part.split(":")[1] : part).split("=")[0].replace(/\.\.\./, "").trim();
        if (/^[A-Za-z_$][\w$]*$/.test(name)) local.add(name);
      }
    }
    for (const m of s.matchAll(/[{,]\s*([A-Za-z_$][\w$]*)\s*(?=[,}])/g)) {
      const before = s.slice(0, m.index);
      const destructuring = /(?:const|let|var)\s*\{[^}]*$/.test(before.slice(before.lastIndexOf("\n") + 1));
      if (declared.has(m[1]) && !local.has(m[1]) && !destructuring && !before.endsWith("$") && enclosingBracket(s, m.index as number) === "{") {
        found.push(`cell ${k}, line ${before.split("\n").length}: { ${m[1]} } — write { ${m[1]}: ${m[1]} }`);
      }
    }
    for (const n of local) declared.add(n);
  });
  return found;
}

/** The innermost bracket open at `index` ("{", "(" or "["): a name between commas inside "(" is a call argument, not shorthand. */
function enclosingBracket(s: string, index: number): string | null {
  let depth = 0;
  for (let k = index; k >= 0; k--) {
    const ch = s[k];
    if (ch === "}" || ch === ")" || ch === "]") depth++;
    else if (ch === "{" || ch === "(" || ch === "[") {
      if (depth === 0) return ch;
      depth--;
    }
  }
  return null;
}

