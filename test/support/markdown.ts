/**
 * Reading Markdown pages: their relative links (test/docs.test.ts, and the package's pages in
 * test/package.test.ts) and their code blocks (the consumer recipe run in test/package.test.ts).
 */

/** The relative links of a page (outside code blocks and spans): [text](target). */
export const linksOf = (markdown: string): string[] => {
  const prose = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
    .map((match) => match[1]!)
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
};

/** A fenced code block: its language, its `title="…"` (a file name, on the fence line) and its text. */
export interface CodeBlock {
  lang: string;
  title?: string;
  code: string;
}

/** The fenced code blocks of a page, in order (```` ```ts title="contract/verify.ts" ````). */
export const codeBlocksOf = (markdown: string): CodeBlock[] =>
  [...markdown.matchAll(/^```(\w*)([^\n]*)\n([\s\S]*?)^```$/gm)].map(([, lang, info, code]) => {
    const title = /\btitle="([^"]+)"/.exec(info!)?.[1];
    return { lang: lang!, ...(title ? { title } : {}), code: code! };
  });
