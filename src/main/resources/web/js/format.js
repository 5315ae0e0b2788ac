// User text to DOM nodes, never through innerHTML: text nodes, links for http(s) URLs, and at most
// `code`, *emphasis* and **bold**. Anything else stays literal text.

const TOKEN = /(https?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]])|`([^`\n]+)`|\*\*([^*\n]+)\*\*|\*([^*\n]+)\*/g;

export function formatText(text) {
  const fragment = document.createDocumentFragment();
  let last = 0;
  for (const match of text.matchAll(TOKEN)) {
    if (match.index > last) fragment.append(text.slice(last, match.index));
    const [whole, url, code, bold, emphasis] = match;
    if (url) {
      const a = document.createElement('a');
      a.href = url; // only http(s) can match, so no javascript: links
      a.textContent = url;
      a.target = '_blank';
      a.rel = 'noopener noreferrer nofollow';
      fragment.append(a);
    } else {
      const el = document.createElement(code ? 'code' : bold ? 'strong' : 'em');
      el.textContent = code || bold || emphasis;
      fragment.append(el);
    }
    last = match.index + whole.length;
  }
  if (last < text.length) fragment.append(text.slice(last));
  return fragment;
}
