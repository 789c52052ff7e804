import { createMyPlatform } from '../../platform/my-platform';
import { createResultPage } from './page';

Page(createResultPage(createMyPlatform()));
