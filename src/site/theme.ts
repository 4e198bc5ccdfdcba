import picoCss from '@picocss/pico/css/pico.min.css?raw';
import listTemplate from './theme/list.liquid?raw';
import notFoundTemplate from './theme/not_found.liquid?raw';
import footerPartial from './theme/partials/footer.liquid?raw';
import headPartial from './theme/partials/head.liquid?raw';
import headerPartial from './theme/partials/header.liquid?raw';
import paginationPartial from './theme/partials/pagination.liquid?raw';
import postMetaPartial from './theme/partials/post_meta.liquid?raw';
import postTemplate from './theme/post.liquid?raw';
import themeCss from './theme/theme.css?raw';

/**
 * The bundled default theme: Liquid templates by name (what a project's `templates/` overrides, file
 * by file) and its CSS. Bundled as text, so the engine needs no file system to find it.
 */
export const defaultTheme = {
  templates: new Map<string, string>([
    ['post.liquid', postTemplate],
    ['list.liquid', listTemplate],
    ['not_found.liquid', notFoundTemplate],
    ['partials/head.liquid', headPartial],
    ['partials/header.liquid', headerPartial],
    ['partials/footer.liquid', footerPartial],
    ['partials/post_meta.liquid', postMetaPartial],
    ['partials/pagination.liquid', paginationPartial],
  ]),
  /** Pico CSS, unchanged; a file of its own, so a change to the site's own CSS leaves it cached. */
  picoCss,
  css: themeCss,
} as const;
