import { incomingParams, incomingTextLimit } from '../core/incoming-post';

/**
 * The bookmarklet's code for an app at `appUrl`: opens the app with the page's title, address and
 * selected text, as much of it as the app takes (an address holds that much, even encoded). It runs
 * in the visited page, and reads nothing else there.
 */
export function bookmarkletCode(appUrl: string): string {
  const { title, text, url, via } = incomingParams;
  const target = new URL(appUrl);
  target.search = '';
  target.hash = '';
  const body =
    `var q=new URLSearchParams({${via}:'bookmarklet',${title}:document.title,` +
    `${url}:location.href,${text}:String(getSelection()).slice(0,${incomingTextLimit})});` +
    `window.open(${JSON.stringify(target.href)}+'?'+q,'_blank','noopener')`;
  return `javascript:(function(){${body}})()`;
}
