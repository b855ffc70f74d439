// What does not fit on the page as it is now: text out of its box, a sideways scroll, words under a fixed bar.
// Called by tests/browser/test_pages_fit.py with the selectors of boxes that are meant to scroll sideways.
(([scrollBoxes]) => {
  const problems = [];
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\s+/).join('.') : '');
  const text = (el) => (el.innerText || el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 50);
  const skip = new Set(['IMG', 'VIDEO', 'CANVAS', 'svg', 'INPUT', 'SELECT', 'TEXTAREA', 'OPTION', 'SCRIPT',
                        'STYLE', 'PICTURE', 'IFRAME', 'BR']);
  const page = document.scrollingElement;
  if (page.scrollWidth > window.innerWidth + 1) {
    problems.push(`page scrolls sideways: ${page.scrollWidth} > ${window.innerWidth}`);
  }
  const bars = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (skip.has(el.tagName)) continue;
    const cs = getComputedStyle(el);
    if (cs.display === 'none' || cs.display === 'contents' || cs.visibility === 'hidden') continue;
    if (cs.position === 'fixed') bars.push(el);
    if (cs.display === 'inline' || el.clientWidth <= 2) continue;  // inline text is measured by its block
    if (el.scrollWidth <= el.clientWidth + 1) continue;
    const scrolls = cs.overflowX === 'auto' || cs.overflowX === 'scroll';
    if (scrolls && scrollBoxes.some((s) => el.matches(s))) continue;
    const what = scrolls ? 'scrolls sideways' : 'overflows';
    problems.push(`${name(el)} ${what}: ${el.scrollWidth} > ${el.clientWidth} px «${text(el)}»`);
  }
  // a select shows its chosen option on one line: the words must fit beside the arrow
  const measure = document.createElement('canvas').getContext('2d');
  for (const select of document.body.querySelectorAll('select')) {
    const cs = getComputedStyle(select), chosen = select.options[select.selectedIndex];
    if (!chosen || !select.getClientRects().length) continue;
    measure.font = `${cs.fontStyle} ${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
    const arrow = 20;  // Chromium's drop-down arrow beside the padding
    const needs = measure.measureText(chosen.text).width + parseFloat(cs.paddingLeft) + parseFloat(cs.paddingRight) + arrow;
    if (needs > select.clientWidth + 1) {
      problems.push(`${name(select)} cuts «${chosen.text}»: needs ${Math.ceil(needs)} > ${select.clientWidth} px`);
    }
  }
  // a bar fixed to an edge must leave the page's last (or first) words readable once scrolled to them
  for (const bar of bars) {
    const r = bar.getBoundingClientRect();
    const atBottom = r.bottom >= window.innerHeight - 1, atTop = r.top <= 1;
    if (!atBottom && !atTop) continue;
    window.scrollTo(0, atBottom ? page.scrollHeight : 0);
    const b = bar.getBoundingClientRect();
    for (const el of document.body.querySelectorAll('h1,h2,h3,p,li,label,button,a,figcaption,td,th')) {
      if (bar.contains(el) || el.contains(bar) || getComputedStyle(el).position === 'fixed') continue;
      const e = el.getBoundingClientRect();
      if (e.width && e.height && e.bottom > b.top + 1 && e.top < b.bottom - 1 && e.right > b.left && e.left < b.right)
        problems.push(`${name(el)} «${text(el)}» lies under the fixed ${name(bar)}`);
    }
    window.scrollTo(0, 0);
  }
  return problems;
})
