import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { CatalogResponseSchema } from '@tradepay/shared';

export const catalogRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/catalog',
    {
      schema: { tags: ['orders'], summary: 'Products and their server-side prices', response: { 200: CatalogResponseSchema } },
    },
    async () => ({ products: app.catalog.toProducts() }),
  );
};
