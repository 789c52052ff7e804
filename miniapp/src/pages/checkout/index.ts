import { createMyPlatform } from '../../platform/my-platform';
import { createCheckoutPage } from './page';

Page(createCheckoutPage(createMyPlatform()));
