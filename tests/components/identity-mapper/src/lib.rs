//! `tc-identity-mapper`: a mapper (world `mapper`) that passes requests and responses
//! through, adding the header `x-mapped: 1` to both.

use tollgate_sdk::{HttpRequest, HttpResponse, Mapper, RequestContext};

/// The exported mapper.
pub struct IdentityMapper;

impl Mapper for IdentityMapper {
    fn map_request(request: HttpRequest, _context: RequestContext) -> Result<HttpRequest, String> {
        Ok(request.with_header("x-mapped", "1"))
    }

    fn map_response(
        response: HttpResponse,
        _context: RequestContext,
    ) -> Result<HttpResponse, String> {
        Ok(response.with_header("x-mapped", "1"))
    }
}

tollgate_sdk::export_mapper!(IdentityMapper);
