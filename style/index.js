import './base.css';
import './card.css';
import './deployments.css';
import './runs.css';
import './uploads.css';
import './account.css';
