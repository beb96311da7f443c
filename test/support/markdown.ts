/** Reading Markdown pages: their relative links (test/docs.test.ts, and the package's pages in test/package.test.ts). */

/** The relative links of a page (outside code blocks and spans): [text](target). */
export const linksOf = (markdown: string): string[] => {
  const prose = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
    .map((match) => match[1]!)
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
};
