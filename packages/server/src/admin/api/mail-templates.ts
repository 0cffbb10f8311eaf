// /tenants/{id}/mail-templates: a tenant's mail templates (docs/people.md, "Templates"), for operators
// and the tenant's Administrators; another tenant's are a 404 like a missing tenant.
import { type Static, Type } from '@sinclair/typebox';
import * as M from './mail-template-schemas.js';
import { confine } from './principal.js';
import type { AdminApiDeps, RouteContext, Router } from './router.js';
import { requireAdmin } from './tenants.js';

/**
 * The pattern of a parameter followed by a literal colon (`{name}:preview`): without one, Fastify reads
 * `name::preview` as one parameter's name.
 */
export const BEFORE_COLON = '(^[a-z_]{1,64})';

const Param = () => Type.String({ minLength: 1, maxLength: 128 });
const Params = Type.Object({ id: Param(), name: Param() }, { additionalProperties: false });
type ParamsOf = { id: string; name: string };

export function mailTemplateRoutes(router: Router<RouteContext>, deps: AdminApiDeps): void {
  /** The tenant, when the caller may manage it: an operator, or an Administrator of it. */
  const tenantOf = async (ctx: RouteContext): Promise<string> => {
    const { id } = ctx.request.params as { id: string };
    requireAdmin(ctx.principal);
    confine(ctx.principal, { tenantId: id });
    await deps.admin.showTenant(id);
    return id;
  };
  router.route({
    method: 'GET',
    url: '/tenants/:id/mail-templates',
    summary: "A tenant's mail templates: each the tenant's own or the default, with its placeholders",
    tag: 'mail-templates',
    params: Type.Object({ id: Param() }, { additionalProperties: false }),
    response: { 200: Type.Object({ items: Type.Array(M.MailTemplate) }) },
    async handler(ctx) {
      return { items: await ctx.admin.listMailTemplates(await tenantOf(ctx)) };
    },
  });
  router.route({
    method: 'GET',
    url: '/tenants/:id/mail-templates/:name',
    summary: 'One mail template of a tenant (its own parts, or the defaults)',
    tag: 'mail-templates',
    params: Params,
    response: { 200: M.MailTemplate },
    async handler(ctx) {
      const tenantId = await tenantOf(ctx);
      return ctx.admin.showMailTemplate(tenantId, (ctx.request.params as ParamsOf).name);
    },
  });
  router.route({
    method: 'PUT',
    url: '/tenants/:id/mail-templates/:name',
    summary: "Store the tenant's own subject, text or HTML of a mail (checked: known placeholders only)",
    tag: 'mail-templates',
    params: Params,
    body: M.PutMailTemplate,
    bodyLimit: M.MAIL_TEMPLATE_BODY_LIMIT,
    response: { 200: M.MailTemplate },
    async handler(ctx) {
      const tenantId = await tenantOf(ctx);
      const body = ctx.request.body as Static<typeof M.PutMailTemplate>;
      return ctx.admin.setMailTemplate(tenantId, (ctx.request.params as ParamsOf).name, body);
    },
  });
  router.route({
    method: 'DELETE',
    url: '/tenants/:id/mail-templates/:name',
    summary: "Reset a mail template to the default (the tenant's own parts are removed)",
    tag: 'mail-templates',
    params: Params,
    response: { 200: M.MailTemplate },
    async handler(ctx) {
      const tenantId = await tenantOf(ctx);
      return ctx.admin.resetMailTemplate(tenantId, (ctx.request.params as ParamsOf).name);
    },
  });
  router.route({
    method: 'POST',
    // `::` is Fastify's literal colon: the path is `/tenants/{id}/mail-templates/{name}:preview`.
    url: `/tenants/:id/mail-templates/:name${BEFORE_COLON}::preview`,
    summary: 'Render a mail template with sample values (the parts given, else the stored ones)',
    tag: 'mail-templates',
    params: Params,
    body: M.PreviewMailTemplate,
    bodyLimit: M.MAIL_TEMPLATE_BODY_LIMIT,
    response: { 200: M.MailPreview },
    async handler(ctx) {
      const tenantId = await tenantOf(ctx);
      const body = (ctx.request.body ?? {}) as Static<typeof M.PreviewMailTemplate>;
      return ctx.admin.previewMailTemplate(tenantId, (ctx.request.params as ParamsOf).name, body);
    },
  });
}
